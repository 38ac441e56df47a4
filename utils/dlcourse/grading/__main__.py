import sys

from dlcourse.grading.cli import main

sys.exit(main())
