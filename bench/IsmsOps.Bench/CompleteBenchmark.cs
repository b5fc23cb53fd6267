namespace IsmsOps.Bench;

internal static class CompleteBenchmark
{
    public static Task RunAsync(BenchOptions options, ResultTable report) => throw new NotSupportedException();
}
