from fusion_signing.cli import main

main()
