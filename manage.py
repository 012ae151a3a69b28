#!/usr/bin/env python
from qingdan.cli import main

if __name__ == "__main__":
    main()
