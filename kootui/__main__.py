from kootui.cli import main

raise SystemExit(main())
