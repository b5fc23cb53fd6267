using System.Management.Automation;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets events from the IsmsOps audit trail.</summary>
/// <remarks>
/// Returns audit events, oldest first, that match every filter given: a time range, actions, targets and a
/// correlation id. Action and Target take wildcards. Each event shows its sequence number, UTC time, the OS account
/// and directory identity that acted, what was done to what, the details as JSON, and its place in the hash chain.
/// Pipe a person in to see that person's history. To check that the trail has not been tampered with, use
/// Test-IsmsAuditTrail.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsAuditEvent -Target person:E1001</code>
/// <para>Shows everything IsmsOps recorded about person E1001.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAuditEvent -Action 'Person.*' -StartTime (Get-Date).AddDays(-7)</code>
/// <para>Shows changes to the people register in the last seven days.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson E1001 | Get-IsmsAuditEvent -Newest 5</code>
/// <para>Shows the five newest events about a piped person.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsAuditEvent")]
[OutputType(typeof(AuditEvent))]
public sealed class GetIsmsAuditEventCommand : IsmsCmdlet
{
    /// <summary>Only events at or after this time (local times are converted to UTC).</summary>
    [Parameter]
    [Alias("After")]
    public DateTime? StartTime { get; set; }

    /// <summary>Only events at or before this time (local times are converted to UTC).</summary>
    [Parameter]
    [Alias("Before")]
    public DateTime? EndTime { get; set; }

    /// <summary>Only these actions, such as Person.Created or Person.*; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Action { get; set; }

    /// <summary>Only events about these targets, such as person:E1001 or person:*; wildcards allowed. Binds from a piped person.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("AuditTarget")]
    public string[]? Target { get; set; }

    /// <summary>Only the events of one operation.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? CorrelationId { get; set; }

    /// <summary>Only the newest N matching events (still written oldest first).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Newest { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var query = new AuditEventQuery
        {
            StartTime = StartTime?.ToUniversalTime(),
            EndTime = EndTime?.ToUniversalTime(),
            CorrelationId = CorrelationId,
            Newest = Newest,
        };

        ForEachItem(() =>
        {
            foreach (AuditEvent e in Workspace.Audit.Find(query, Action ?? [], Target ?? [], Cancellation))
            {
                WriteObject(e);
            }
        });
    }
}
