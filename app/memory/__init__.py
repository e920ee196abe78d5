"""Short-term conversation memory kept in Redis database 1 (R17.2)."""
