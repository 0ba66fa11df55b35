"""The conformance suite: the vendors' real clients against one Faultline process.

    python clients/run.py --faultline .build/release/faultline

Each case prints one line; the suite ends with `N passed, M failed` and exits 1 on any failure.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import aftership_legacy  # noqa: E402
import aftership_tracking_sdk  # noqa: E402
import price2b_node  # noqa: E402
import pyaftership_async  # noqa: E402
import retry_stacks  # noqa: E402
import retry_verdicts  # noqa: E402

SUITES = [aftership_tracking_sdk, aftership_legacy, pyaftership_async, retry_stacks, retry_verdicts, price2b_node]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faultline", required=True, help="the faultline binary")
    parser.add_argument("--scenarios", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Scenarios"))
    parser.add_argument("--log", default="/tmp/faultline-clients.log", help="where the server's output goes")
    parser.add_argument("--only", help="run only the suite whose CLIENT contains this text")
    arguments = parser.parse_args()

    server = harness.Server(arguments.faultline, os.path.abspath(arguments.scenarios))
    server.start(arguments.log)
    runner = harness.Runner()
    try:
        for suite in SUITES:
            if arguments.only and arguments.only not in suite.CLIENT:
                continue
            for name, case in suite.cases(server):
                runner.run(suite.CLIENT, name, case)
    finally:
        server.stop()
    harness.main_exit(runner)


if __name__ == "__main__":
    main()
