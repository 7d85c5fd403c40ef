"""unittest running test methods defined on the VM (output on stdout for the comparison)."""
import io
import re
import sys
import unittest


def add(a, b):
    return a + b


class ArithmeticTest(unittest.TestCase):
    def setUp(self):
        self.base = 10

    def test_add(self):
        self.assertEqual(add(self.base, 5), 15)

    def test_raises(self):
        with self.assertRaises(ZeroDivisionError):
            1 / 0

    def test_subtests(self):
        for value in range(3):
            with self.subTest(value=value):
                self.assertGreaterEqual(value, 0)

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(add(1, 1), 3)

    @unittest.skip("demonstrating skips")
    def test_skipped(self):
        raise AssertionError("never runs")

    def test_failure_is_reported(self):
        self.assertIn("x", ["a", "b"])


class AsyncTest(unittest.IsolatedAsyncioTestCase):
    async def test_async_method(self):
        import asyncio
        await asyncio.sleep(0)
        self.assertTrue(True)


if __name__ == "__main__":
    report = io.StringIO()
    runner = unittest.TextTestRunner(stream=report, verbosity=2)
    program = unittest.main(testRunner=runner, exit=False)
    print(re.sub(r"in [0-9.]+s", "in <time>", report.getvalue()))
    result = program.result
    print("ran", result.testsRun, "failures", len(result.failures), "errors", len(result.errors),
          "skipped", len(result.skipped), "expected failures", len(result.expectedFailures))
    sys.exit(0 if not result.errors else 2)
