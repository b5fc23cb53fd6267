using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>The exit review: lists enabled member accounts in the directory that have no active person in the register.</summary>
/// <remarks>
/// An account is linked to a person by the person's DirectoryObjectId, else by UserPrincipalName (case-insensitive).
/// It is reported when no person is linked (Reason NoPerson), when the linked person has Left (PersonLeft), or when the
/// linked person is Leaving and their EndDate is before today (PastEndDate): offboarding missed it. Candidates and
/// people Onboarding count as active, so an account made ahead of a start date is not reported. Disabled accounts and
/// guests are not reviewed. Results come in UserPrincipalName order.
/// The directory is read from -SnapshotPath when given, else from the snapshot Import-IsmsDirectorySnapshot made
/// current, else from Microsoft Graph live (one paged read of /users) through the Connect-IsmsGraph connection; with none
/// of these the command fails with IsmsOps.Graph.NotConnected. Each result read from a snapshot carries its SHA-256.
/// Graph permissions: none when reading a snapshot; live, User.Read.All.
/// </remarks>
/// <example>
/// <code>Get-IsmsOrphanedAccount -SnapshotPath ./evidence/contoso.json.gz</code>
/// <para>Lists the enabled accounts that nobody in the register accounts for, as the snapshot recorded them.</para>
/// </example>
/// <example>
/// <code>Get-IsmsOrphanedAccount | Where-Object Reason -eq 'PastEndDate'</code>
/// <para>Lists leavers whose end date has passed and whose account is still enabled.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsOrphanedAccount")]
[OutputType(typeof(OrphanedAccount))]
public sealed class GetIsmsOrphanedAccountCommand : IsmsCmdlet
{
    /// <summary>A snapshot file to read instead of the session's imported snapshot; it does not replace that one.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        StopOnError(() =>
        {
            IDirectorySource source = ResolveDirectory(SnapshotPath);
            IReadOnlyList<SnapshotUser> users = Run(ct => OrphanedAccountReview.ListUsersAsync(source, ct));
            IReadOnlyList<Person> people = Run((w, ct) => w.People.FindAsync(new PersonQuery(), ct));
            WriteObject(OrphanedAccountReview.Find(users, people, DateTime.UtcNow.Date, source.SnapshotSha256), enumerateCollection: true);
        });
    }
}
