using System.Globalization;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.HrEvents;

/// <summary>
/// How an HR export's columns map to the register's fields, read from YAML:
/// <c>columns: { PersonId: EmployeeNumber, DisplayName: FullName, ... }</c> and an optional <c>dateFormat</c>.
/// </summary>
public sealed record HrFeedMapping
{
    /// <summary>The fields a feed can map; PersonId and DisplayName must be mapped.</summary>
    public static IReadOnlyList<string> Fields { get; } =
    [
        nameof(HrEvent.PersonId), nameof(HrEvent.DisplayName), nameof(HrEvent.UserPrincipalName), nameof(HrEvent.Mail), nameof(HrEvent.Department),
        nameof(HrEvent.JobRole), nameof(HrEvent.ManagerId), nameof(HrEvent.StartDate), nameof(HrEvent.EndDate), nameof(HrEvent.EmploymentType),
        nameof(HrEvent.Location),
    ];

    /// <summary>Register field → the export's column name, in the mapping file's order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Columns { get; init; }

    /// <summary>The .NET exact date format of the export's date columns (yyyy-MM-dd unless the file says otherwise).</summary>
    public string DateFormat { get; init; } = "yyyy-MM-dd";

    /// <summary>Reads a mapping file; anything wrong is an error at its file:line:column.</summary>
    public static HrFeedMapping Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        var columns = new List<KeyValuePair<string, string>>();
        string dateFormat = "yyyy-MM-dd";
        foreach ((string key, PolicyNode _, PolicyNode value) in file.Root.Mapping(["columns", "dateFormat"]))
        {
            if (key == "dateFormat")
            {
                dateFormat = value.Scalar();
                if (!DateTime.TryParseExact(DateTime.UnixEpoch.ToString(dateFormat, CultureInfo.InvariantCulture), dateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    throw value.Error($"dateFormat '{dateFormat}' does not read back the dates it writes.", "Use a .NET exact date format such as yyyy-MM-dd or dd/MM/yyyy.");
                }

                continue;
            }

            foreach ((string field, PolicyNode _, PolicyNode column) in value.Mapping(Fields.ToArray()))
            {
                columns.Add(new(field, column.Scalar()));
            }
        }

        foreach (string required in new[] { nameof(HrEvent.PersonId), nameof(HrEvent.DisplayName) })
        {
            if (!columns.Any(c => c.Key == required))
            {
                throw file.Root.Error($"columns does not map {required}.", $"Add '{required}: <the export's column>' under columns.");
            }
        }

        return new HrFeedMapping { Columns = columns, DateFormat = dateFormat };
    }
}
