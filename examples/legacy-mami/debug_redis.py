import redis

print(redis.Redis().ping())
