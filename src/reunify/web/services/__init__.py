"""What the web application does, apart from HTTP: functions take a Session and an actor; callers commit."""
