using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Starts a local Microsoft Graph sandbox with a generated tenant.</summary>
/// <remarks>
/// Starts a Graph v1.0 look-alike on 127.0.0.1, in this process, holding a generated organisation in memory: users
/// with departments and managers, nested groups, guests, stale accounts, names with apostrophes and non-ASCII letters.
/// The same -Seed always gives the same tenant. Use it to rehearse onboarding and offboarding, and in tests and demos,
/// without a real tenant: pass the returned object to Connect-IsmsGraph -Sandbox. Its AccessToken opens only this
/// sandbox. The sandbox can misbehave on purpose: -FaultRate of the requests get one of -Fault (latency, 429 with
/// and without Retry-After, 503, connection reset, timeout). It can also stand for a poorer or stricter tenant:
/// -NoPremiumP1 and -NoPremiumP2 take away the licences that sign-in activity, the MFA registration report and PIM need
/// (Export-IsmsDirectorySnapshot then records those gaps), and -GrantedPermission limits what its token may do, so a
/// missing permission's 403 can be rehearsed.
/// It runs until Stop-IsmsSandbox, the module is removed, or the process ends. Nothing it holds is saved.
/// Graph permissions: none (it is not Graph).
/// </remarks>
/// <example>
/// <code>$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb</code>
/// <para>Starts a sandbox of 200 users and connects to it.</para>
/// </example>
/// <example>
/// <code>Start-IsmsSandbox -UserCount 5000 -FaultRate 0.2 -Fault TooManyRequests, ServiceUnavailable</code>
/// <para>A bigger tenant where a fifth of the requests are throttled or refused, to rehearse a bad day.</para>
/// </example>
/// <example>
/// <code>$sb = Start-IsmsSandbox -NoPremiumP1 -GrantedPermission User.Read.All, GroupMember.Read.All</code>
/// <para>A tenant without Entra ID P1 whose app may only read users and group members.</para>
/// </example>
/// <example>
/// <code>Start-IsmsSandbox -Latency 50</code>
/// <para>Every request takes 50 ms longer, like a distant tenant.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "IsmsSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(SandboxInstance))]
public sealed class StartIsmsSandboxCommand : IsmsCmdlet
{
    /// <summary>How many users to generate, from 100 to 100,000 (default 500).</summary>
    [Parameter(Position = 0)]
    [ValidateRange(100, 100_000)]
    public int UserCount { get; set; } = 500;

    /// <summary>The seed of the generated tenant and of the fault pattern; the same seed gives the same tenant (default 27001).</summary>
    [Parameter]
    public int Seed { get; set; } = 27001;

    /// <summary>The share of requests, from 0 to 1, that get an injected fault (default 0).</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double FaultRate { get; set; }

    /// <summary>The faults to inject: Latency, TooManyRequests, TooManyRequestsWithoutRetryAfter, ServiceUnavailable, ConnectionReset, Timeout. Default: the first four.</summary>
    [Parameter]
    public SandboxFaultKind[]? Fault { get; set; }

    /// <summary>Milliseconds a Latency fault adds. Without -FaultRate and -Fault, every request is delayed by it.</summary>
    [Parameter]
    [ValidateRange(0, 600_000)]
    public int? Latency { get; set; }

    /// <summary>The Retry-After, in seconds, that a throttled (429) answer carries (default 1).</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public int? RetryAfterSeconds { get; set; }

    /// <summary>Generates a tenant without Entra ID P1: no sign-in activity, no MFA registration report.</summary>
    [Parameter]
    public SwitchParameter NoPremiumP1 { get; set; }

    /// <summary>Generates a tenant without Entra ID P2: no PIM schedules.</summary>
    [Parameter]
    public SwitchParameter NoPremiumP2 { get; set; }

    /// <summary>The Graph application permissions the sandbox's token carries (default: all), e.g. User.Read.All.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? GrantedPermission { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess("127.0.0.1", $"Start a Graph sandbox with {UserCount:N0} users"))
        {
            return;
        }

        StopOnError(() =>
        {
            SandboxInstance sandbox = Run(_ => Task.FromResult(SandboxInstance.Start(new SandboxSettings
            {
                UserCount = UserCount,
                Seed = Seed,
                FaultRate = FaultRate,
                Faults = Fault,
                Latency = Latency is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                RetryAfterSeconds = RetryAfterSeconds,
                PremiumP1 = !NoPremiumP1,
                PremiumP2 = !NoPremiumP2,
                GrantedPermissions = GrantedPermission,
            })));
            ModuleSession.AddSandbox(sandbox);
            WriteVerbose($"{sandbox}: tenant {sandbox.TenantId}, {sandbox.GroupCount:N0} groups.");
            WriteObject(sandbox);
        });
    }
}
