using System.Globalization;
using System.Text;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// Writes docs/controls.md from the control files themselves: every control with its ISO references, grouped by the
/// folder (domain) it lives in, and how many ISO/IEC 27001:2022 Annex A controls have at least one automated check.
/// Generated, so the page cannot drift from the baseline (a test compares the two).
/// </summary>
public static class ControlCatalogPage
{
    /// <summary>Readable names of the baseline's domain folders (policies/controls/&lt;folder&gt;).</summary>
    private static readonly (string Folder, string Name)[] Domains =
    [
        ("people", "People: screening, agreements and training"),
        ("leavers", "Leavers and offboarding"),
        ("access", "Accounts and access"),
        ("guests", "Guests"),
        ("groups", "Groups"),
        ("privileged", "Privileged access"),
        ("segregation", "Segregation of duties"),
        ("reviews", "Access reviews"),
        ("audit", "Audit trail and monitoring"),
    ];

    /// <summary>
    /// The 93 control ids of ISO/IEC 27001:2022 Annex A (A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14, A.8.1-A.8.34), ids
    /// only: the standard's wording is not ours to ship.
    /// </summary>
    public static IReadOnlyList<string> AnnexAIds { get; } = [.. Applicability.AnnexA.Controls.Select(c => c.Id)];

    /// <summary>The domain of a control: the folder under <c>controls/</c> its file lives in.</summary>
    public static string Domain(ControlDefinition control)
    {
        ArgumentNullException.ThrowIfNull(control);
        string[] parts = control.SourcePath.Replace('\\', '/').Split('/');
        int at = Array.FindLastIndex(parts, p => p.Equals("controls", StringComparison.OrdinalIgnoreCase));
        return at >= 0 && at + 2 < parts.Length ? parts[at + 1] : "other";
    }

    /// <summary>The Annex A ids (of the 93) that at least one of <paramref name="controls"/> references.</summary>
    public static IReadOnlyList<string> CoveredAnnexA(IEnumerable<ControlDefinition> controls) =>
        AnnexAIds.Where(id => controls.Any(c => c.References.Any(r => r.Framework == "iso27001:2022" && r.Id == id))).ToArray();

    /// <summary>The whole page, for controls loaded with the policies folder as base (paths <c>controls/&lt;domain&gt;/...</c>).</summary>
    public static string ToMarkdown(IReadOnlyList<ControlDefinition> controls)
    {
        ArgumentNullException.ThrowIfNull(controls);
        IReadOnlyList<string> covered = CoveredAnnexA(controls);
        var text = new StringBuilder();
        text.Append("# The shipped baseline: controls and their ISO references\n\n");
        text.Append("Generated from `policies/controls/**/*.yaml` by `ControlCatalogPage` (src/IsmsOps.Engine/Assessment); a test fails\n");
        text.Append("when this page and the control files differ. Regenerate it with\n");
        text.Append("`ISMSOPS_WRITE_DOCS=1 dotnet test tests/IsmsOps.Engine.Tests --filter The_controls_page`.\n");
        text.Append("The file format is in [policy-language.md](policy-language.md); each control's objective, parameters and\n");
        text.Append("remediation are in its file.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"**{controls.Count} controls.** **Annex A coverage: {covered.Count} of the 93 ISO/IEC 27001:2022 Annex A controls have at least one automated check.**\n\n");
        text.Append("ISO/IEC 27017 references are either its cloud controls (CLD.x) or the 27002 clauses for which 27017 adds cloud\n");
        text.Append("guidance; each control that cites a CLD control says in its objective why its evidence bears on it.\n\n");

        foreach (IGrouping<string, ControlDefinition> domain in controls.GroupBy(Domain).OrderBy(g => DomainOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            int known = DomainOrder(domain.Key);
            text.Append("## ").Append(known == int.MaxValue ? domain.Key : Domains[known].Name).Append("\n\n");
            text.Append("| id | title | severity | resource | ISO/IEC 27001:2022 | ISO/IEC 27002:2013 | ISO/IEC 27017 |\n");
            text.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
            foreach (ControlDefinition c in domain.OrderBy(c => c.Id, StringComparer.Ordinal))
            {
                text.Append("| ").Append(c.Id).Append(" | ").Append(Cell(c.Title)).Append(" | ").Append(c.Severity).Append(" | ").Append(c.ResourceType.Name)
                    .Append(" | ").Append(Refs(c, "iso27001:2022")).Append(" | ").Append(Refs(c, "iso27002:2013")).Append(" | ").Append(Refs(c, "iso27017")).Append(" |\n");
            }

            text.Append('\n');
        }

        text.Append("## Annex A coverage\n\n");
        text.Append("The Annex A controls the baseline checks, and the controls that check each. The others are covered by policy,\n");
        text.Append("process or physical measures no directory or register evidence can show; the statement of applicability\n");
        text.Append("records them.\n\n| Annex A | checked by |\n| --- | --- |\n");
        foreach (string id in covered)
        {
            text.Append("| ").Append(id).Append(" | ")
                .Append(string.Join(", ", controls.Where(c => c.References.Any(r => r.Framework == "iso27001:2022" && r.Id == id)).Select(c => c.Id).Order(StringComparer.Ordinal)))
                .Append(" |\n");
        }

        return text.ToString();
    }

    private static int DomainOrder(string domain)
    {
        int i = Array.FindIndex(Domains, d => d.Folder.Equals(domain, StringComparison.OrdinalIgnoreCase));
        return i < 0 ? int.MaxValue : i;
    }

    private static string Refs(ControlDefinition control, string framework)
    {
        string joined = string.Join(", ", control.References.Where(r => r.Framework == framework).Select(r => r.Id));
        return joined.Length == 0 ? "-" : joined;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
