using System.Globalization;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Bench;

/// <summary>
/// Audit events shaped like the register's own: person changes with a few field changes in the details, built with
/// <see cref="AuditDetails"/> as the cmdlets build them. A small pool of details is reused so that making a million
/// drafts costs little next to what is measured.
/// </summary>
internal static class AuditWorkload
{
    private static readonly string[] Departments = ["Finance", "Research", "Engineering", "People", "Legal", "Security", "Sales", "Support"];
    private static readonly string[] Actions = ["Person.Updated", "Person.Updated", "Person.Created", "Person.StatusChanged"];
    private static readonly string[] DetailsPool = Enumerable.Range(0, 64).Select(MakeDetails).ToArray();

    /// <summary>Who the benchmark acts as: a scheduled job's service account, connected to a directory.</summary>
    public static OperationContext Context { get; } =
        new("svc-ismsops@bench-host", "ismsops-automation@contoso.example", Guid.NewGuid().ToString("D"));

    public static AuditEventDraft Draft(long i) => new(
        Actions[i % Actions.Length],
        "person:E" + (10_000 + (i % 5_000)).ToString(CultureInfo.InvariantCulture),
        DetailsPool[i % DetailsPool.Length]);

    /// <summary>Drafts <paramref name="first"/> onwards, cut into batches of <paramref name="batchSize"/>.</summary>
    public static List<AuditEventDraft[]> Batches(long first, int count, int batchSize)
    {
        var batches = new List<AuditEventDraft[]>((count + batchSize - 1) / batchSize);
        for (int done = 0; done < count; done += batchSize)
        {
            int size = Math.Min(batchSize, count - done);
            var batch = new AuditEventDraft[size];
            for (int j = 0; j < size; j++)
            {
                batch[j] = Draft(first + done + j);
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static string MakeDetails(int i)
    {
        var details = new AuditDetails()
            .AddChange("department", Departments[i % Departments.Length], Departments[(i + 3) % Departments.Length])
            .AddChange("jobRole", "Analyst " + i.ToString(CultureInfo.InvariantCulture), "Senior analyst " + i.ToString(CultureInfo.InvariantCulture));
        if (i % 4 == 0)
        {
            details.AddChange("managerId", "E1" + i.ToString("D4", CultureInfo.InvariantCulture), null);
        }

        return details.ToJson();
    }
}
