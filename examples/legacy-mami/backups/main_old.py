# an old copy of app/main.py kept "just in case"
