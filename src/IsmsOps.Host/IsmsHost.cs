using System.Globalization;
using System.Management.Automation.Host;
using System.Reflection;

namespace IsmsOps.Host;

/// <summary>
/// The PSHost the engine talks to: a console UI on stdin/stdout/stderr, and the exit code a script asks for.
/// </summary>
internal sealed class IsmsHost : PSHost
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    /// <summary>The host's version: the IsmsOps version it was built with.</summary>
    public static Version HostVersion { get; } = typeof(IsmsHost).Assembly.GetName().Version ?? new Version(0, 0);

    /// <summary>The version as people write it (0.1.0, not 0.1.0.0).</summary>
    public static string DisplayVersion { get; } =
        typeof(IsmsHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? HostVersion.ToString(3);

    /// <inheritdoc />
    public override string Name => "isms";

    /// <inheritdoc />
    public override Version Version => HostVersion;

    /// <inheritdoc />
    public override Guid InstanceId { get; } = Guid.NewGuid();

    /// <inheritdoc />
    public override IsmsHostUserInterface UI { get; } = new();

    /// <inheritdoc />
    public override CultureInfo CurrentCulture => _culture;

    /// <inheritdoc />
    public override CultureInfo CurrentUICulture => _uiCulture;

    /// <summary>True once the engine ran <c>exit</c> outside a script file.</summary>
    public bool ShouldExit { get; private set; }

    /// <summary>The code given to <c>exit</c>; meaningful when <see cref="ShouldExit"/> is true.</summary>
    public int ExitCode { get; private set; }

    /// <summary>The engine calls this for <c>exit N</c> in the top-level pipeline.</summary>
    public override void SetShouldExit(int exitCode)
    {
        ShouldExit = true;
        ExitCode = exitCode;
    }

    /// <summary>Nested prompts (Suspend at a -Confirm prompt, $Host.EnterNestedPrompt()) need a full console host.</summary>
    public override void EnterNestedPrompt() =>
        throw new NotSupportedException("isms does not support nested prompts (Suspend); answer the prompt or use pwsh.");

    /// <inheritdoc />
    public override void ExitNestedPrompt() =>
        throw new NotSupportedException("isms does not support nested prompts.");

    /// <inheritdoc />
    public override void NotifyBeginApplication()
    {
    }

    /// <inheritdoc />
    public override void NotifyEndApplication()
    {
    }
}
