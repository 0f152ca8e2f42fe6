from bench.media_clock import run


def test_the_benchmark_runs():
    result = run(3, 0.5)
    assert result["calls"] == 3 and result["cpu_ms_per_call_second"] > 0
    assert result["echoed_pkts_per_call_second"] > 0
