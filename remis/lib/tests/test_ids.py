import time
import uuid

from remis.lib.ids import uuid7


def test_uuid7_is_a_version_7_uuid_ordered_by_time():
    first = uuid7()
    time.sleep(0.002)
    later = [uuid7() for _ in range(1000)]
    assert first.version == 7 and first.variant == uuid.RFC_4122
    assert all(first < u for u in later)  # a later millisecond sorts after
    assert len(set(later)) == 1000  # random bits keep ids of one millisecond apart
    assert abs((first.int >> 80) - time.time_ns() // 1_000_000) < 5_000  # its timestamp is now
