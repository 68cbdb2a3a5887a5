"""The command line: the outermost edge. Each module registers its commands on the app."""
