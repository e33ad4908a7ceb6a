"""Tests of the test harness itself: the fakes and fixtures other tests rely on."""
