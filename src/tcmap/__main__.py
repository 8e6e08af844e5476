from tcmap.cli import main

main()
