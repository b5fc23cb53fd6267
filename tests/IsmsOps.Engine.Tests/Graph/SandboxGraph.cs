using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>A running sandbox, a real connection to it (SDK, handler pipeline, fast retries) and a reader over it.</summary>
internal sealed class SandboxGraph : IDisposable
{
    private SandboxGraph(GraphSandbox sandbox, GraphConnection connection, GraphReaderOptions readerOptions)
    {
        Sandbox = sandbox;
        Connection = connection;
        Reader = new GraphReader(connection, readerOptions);
    }

    /// <summary>Item retries at millisecond scale, so fault-injection tests take seconds, not minutes.</summary>
    public static GraphReaderOptions FastRetries { get; } = new() { BackoffBase = TimeSpan.FromMilliseconds(5), BackoffCap = TimeSpan.FromMilliseconds(50) };

    public GraphSandbox Sandbox { get; }

    public GraphConnection Connection { get; }

    public GraphReader Reader { get; }

    public static async Task<SandboxGraph> StartAsync(SandboxOptions options, GraphReaderOptions? readerOptions = null, GraphRetryOptions? retry = null)
    {
        GraphSandbox sandbox = GraphSandbox.Start(options);
        try
        {
            GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox, retry).ConfigureAwait(false);
            return new SandboxGraph(sandbox, connection, readerOptions ?? FastRetries);
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Connection.Dispose();
        Sandbox.Dispose();
    }
}
