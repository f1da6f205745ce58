from pmcockpit.cli import main

main()
