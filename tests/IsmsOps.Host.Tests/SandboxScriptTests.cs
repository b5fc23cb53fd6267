using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Host.Tests;

/// <summary>
/// What the tests of the shipped example scripts share: the bundled host pointed at a 100-user sandbox tenant that the
/// test holds, whose state is the judge.
/// </summary>
public abstract class SandboxScriptTests : IDisposable
{
    protected SandboxScriptTests()
    {
        Isms.Environment["ISMSOPS_SANDBOX_URL"] = Sandbox.Url;
        Isms.Environment["ISMSOPS_SANDBOX_TOKEN"] = Sandbox.AccessToken;
        Isms.Environment["ISMSOPS_SANDBOX_TENANT"] = Sandbox.TenantId;
    }

    /// <summary>The bundled host, run as a scheduler would run it.</summary>
    protected IsmsProcess Isms { get; } = new();

    /// <summary>The sandbox tenant the scripts work on.</summary>
    protected GraphSandbox Sandbox { get; } = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });

    /// <summary>The sandbox's directory, read to judge what a script did.</summary>
    protected Tenant Tenant => Sandbox.Tenant;

    /// <summary>A path under examples/ of the repository.</summary>
    protected static string Example(params string[] parts) => Path.Combine([IsmsProcess.RepoRoot, "examples", .. parts]);

    /// <inheritdoc/>
    public void Dispose()
    {
        Sandbox.Dispose();
        Isms.Dispose();
        GC.SuppressFinalize(this);
    }
}
