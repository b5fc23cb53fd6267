using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Graph;

/// <summary>The faults a sandbox can inject (mirrors IsmsOps.Sandbox's list, so cmdlets expose only engine types).</summary>
public enum SandboxFaultKind
{
    Latency,
    TooManyRequests,
    TooManyRequestsWithoutRetryAfter,
    ServiceUnavailable,
    ConnectionReset,
    Timeout,
}

/// <summary>How to start a sandbox: the size of its generated tenant and how badly it behaves.</summary>
public sealed record SandboxSettings
{
    public int UserCount { get; init; } = 500;
    public int Seed { get; init; } = 27001;

    /// <summary>Share of requests (0 to 1) that get one of <see cref="Faults"/>.</summary>
    public double FaultRate { get; init; }

    /// <summary>Faults to choose from; null for the sandbox's default (latency, 429 with and without Retry-After, 503).</summary>
    public IReadOnlyList<SandboxFaultKind>? Faults { get; init; }

    /// <summary>
    /// Delay of a Latency fault. Given without a fault rate, every request is delayed by it (FaultRate 1, Latency
    /// only), which is what a benchmark of a slow tenant wants.
    /// </summary>
    public TimeSpan? Latency { get; init; }

    /// <summary>The Retry-After (whole seconds) a throttled answer carries.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>False for a tenant without Entra ID P1: sign-in activity and the MFA registration report answer 403.</summary>
    public bool PremiumP1 { get; init; } = true;

    /// <summary>False for a tenant without Entra ID P2: the PIM schedule endpoints refuse.</summary>
    public bool PremiumP2 { get; init; } = true;

    /// <summary>
    /// The Graph application permissions the sandbox's token carries; null grants all. An endpoint that needs
    /// something else answers 403 Authorization_RequestDenied, as Graph does.
    /// </summary>
    public IReadOnlyCollection<string>? GrantedPermissions { get; init; }
}

/// <summary>
/// A Graph sandbox started for a user or a test: a Graph v1.0 look-alike on 127.0.0.1 with a generated tenant. Give
/// <see cref="Url"/> and <see cref="AccessToken"/> to Connect-IsmsGraph -Sandbox. The token opens only this sandbox,
/// which holds made-up data and dies with the process.
/// </summary>
public sealed class SandboxInstance : IDisposable
{
    private readonly GraphSandbox _sandbox;

    private SandboxInstance(GraphSandbox sandbox, SandboxSettings settings)
    {
        _sandbox = sandbox;
        Seed = settings.Seed;
        FaultRate = EffectiveFaultRate(settings);
        StartedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The Graph base URL, for example http://127.0.0.1:51234/v1.0.</summary>
    public string Url => _sandbox.Url;

    /// <summary>The bearer token the sandbox accepts (made up for this sandbox; not a secret of any real tenant).</summary>
    public string AccessToken => _sandbox.AccessToken;

    public string TenantId => _sandbox.Tenant.Id;

    /// <summary>The domain every generated user's sign-in name ends with.</summary>
    public string DefaultDomain => _sandbox.Tenant.DefaultDomain;

    public int UserCount => _sandbox.Tenant.Users.Count;

    public int GroupCount => _sandbox.Tenant.Groups.Count;

    /// <summary>
    /// The generated tenant itself, to find people to rehearse with (for example
    /// <c>$sb.Tenant.Users | Where-Object Department -eq 'Finance'</c>). Changing it directly bypasses Graph; rehearse
    /// changes through the cmdlets instead.
    /// </summary>
    public IsmsOps.Sandbox.Directory.Tenant Tenant => _sandbox.Tenant;

    public int Seed { get; }

    public double FaultRate { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>HTTP requests the sandbox has received (a $batch counts once): shows whether a run sent anything to Graph.</summary>
    public long RequestCount => _sandbox.RequestCount;

    public bool IsRunning { get; private set; } = true;

    /// <summary>Generates the tenant and starts listening on a free loopback port.</summary>
    public static SandboxInstance Start(SandboxSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = new SandboxOptions();
        IReadOnlyList<SandboxFault> faults = settings.Faults?.Select(f => Enum.Parse<SandboxFault>(f.ToString())).ToArray() ?? defaults.Faults;
        if (settings.Latency is not null && settings.FaultRate == 0 && settings.Faults is null)
        {
            faults = [SandboxFault.Latency];
        }

        try
        {
            var options = new SandboxOptions
            {
                UserCount = settings.UserCount,
                Seed = settings.Seed,
                FaultRate = EffectiveFaultRate(settings),
                Faults = faults,
                FaultLatency = settings.Latency ?? defaults.FaultLatency,
                RetryAfterSeconds = settings.RetryAfterSeconds ?? defaults.RetryAfterSeconds,
                PremiumP1 = settings.PremiumP1,
                PremiumP2 = settings.PremiumP2,
                GrantedPermissions = settings.GrantedPermissions,
            };
            return new SandboxInstance(GraphSandbox.Start(options), settings);
        }
        catch (ArgumentException e)
        {
            throw new IsmsException("IsmsOps.Sandbox.InvalidSettings", IsmsErrorKind.InvalidArgument, e.Message.Split(" (Parameter", 2)[0],
                "Change the value named in the message and start the sandbox again.", (e as ArgumentOutOfRangeException)?.ActualValue ?? e.ParamName, e);
        }
    }

    /// <summary>Stops listening; connections to it then fail. Stopping twice is harmless.</summary>
    public void Stop()
    {
        IsRunning = false;
        _sandbox.Stop();
    }

    public void Dispose()
    {
        IsRunning = false;
        _sandbox.Dispose();
    }

    public override string ToString() => $"Sandbox {Url} ({UserCount:N0} users{(IsRunning ? "" : ", stopped")})";

    private static double EffectiveFaultRate(SandboxSettings settings) =>
        settings.Latency is not null && settings.FaultRate == 0 && settings.Faults is null ? 1 : settings.FaultRate;
}
