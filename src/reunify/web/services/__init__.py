"""What the web application does, apart from HTTP: each function takes a Session and an actor, and the caller commits."""
