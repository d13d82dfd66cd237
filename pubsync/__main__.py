from pubsync.cli import main

main()
