namespace IsmsOps.Engine.Assessment.Applicability;

/// <summary>One control of ISO/IEC 27001:2022 Annex A, by id, with a short title of our own (never the standard's text).</summary>
/// <param name="Id">The id, A.5.1 to A.8.34.</param>
/// <param name="Theme">A.5, A.6, A.7 or A.8.</param>
/// <param name="Title">What the control is about, in a few words of our own.</param>
public sealed record AnnexAControl(string Id, string Theme, string Title);

/// <summary>
/// The 93 controls of ISO/IEC 27001:2022 Annex A: 37 organisational (A.5), 8 people (A.6), 14 physical (A.7) and 34
/// technological (A.8). The titles are IsmsOps' own short paraphrases, so the list can ship without the standard's
/// copyrighted wording; read the standard for what each control requires.
/// </summary>
public static class AnnexA
{
    /// <summary>Every control, in the standard's order.</summary>
    public static IReadOnlyList<AnnexAControl> Controls { get; } = Build();

    /// <summary>The control with the id <paramref name="id"/> (written as <c>A.5.18</c>, in any case), or null.</summary>
    public static AnnexAControl? Find(string id) => Controls.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase));

    private static AnnexAControl[] Build()
    {
        string[] organisational =
        [
            "Security policies set and communicated", "Security roles and duties assigned", "Conflicting duties kept apart",
            "Management drives security duties", "Contact kept with authorities", "Contact kept with specialist groups",
            "Threat information gathered and used", "Security built into project work", "Inventory of information and assets kept",
            "Rules for acceptable use of assets", "Assets handed back on leaving", "Information classified by need",
            "Information labelled by its class", "Rules for transferring information", "Access control rules set",
            "Identities managed through their lifecycle", "Authentication secrets handled safely", "Access rights granted, reviewed and removed",
            "Security in supplier relationships", "Security terms in supplier agreements", "Security of the ICT supply chain",
            "Supplier services monitored and changes reviewed", "Security of the cloud services used", "Incident handling planned and prepared",
            "Security events assessed and decided on", "Incidents responded to", "Lessons learnt from incidents",
            "Evidence collected and preserved", "Security kept up during disruption", "ICT ready for business continuity",
            "Legal, regulatory and contract duties identified", "Intellectual property protected", "Records protected",
            "Privacy and personal data protected", "Security reviewed independently", "Compliance with security rules checked",
            "Operating procedures written down",
        ];
        string[] people =
        [
            "Background checks before joining", "Security duties in employment terms", "Security awareness and training",
            "Disciplinary process for breaches", "Duties that continue after leaving or changing role", "Confidentiality and non-disclosure agreements",
            "Security of remote working", "Staff report security events",
        ];
        string[] physical =
        [
            "Physical security perimeters", "Entry to premises controlled", "Offices, rooms and facilities secured", "Premises monitored",
            "Protection from physical and environmental threats", "Rules for working in secure areas", "Clear desks and locked screens",
            "Equipment sited and protected", "Assets protected off the premises", "Storage media handled safely", "Supporting utilities protected",
            "Cabling protected", "Equipment maintained", "Equipment disposed of or reused securely",
        ];
        string[] technological =
        [
            "User devices protected", "Privileged access rights restricted", "Access to information restricted", "Access to source code controlled",
            "Authentication made secure", "Capacity managed", "Protection against malware", "Technical vulnerabilities managed",
            "Configurations managed", "Information deleted when no longer needed", "Data masked where needed", "Data leakage prevented",
            "Information backed up", "Redundant processing facilities", "Activity logged", "Activity monitored for anomalies",
            "Clocks synchronised", "Privileged utility programs controlled", "Software installation on live systems controlled",
            "Networks secured", "Network services secured", "Networks segregated", "Web access filtered", "Cryptography used properly",
            "Secure development lifecycle", "Security requirements for applications", "Secure architecture and engineering",
            "Secure coding", "Security tested in development and acceptance", "Outsourced development supervised",
            "Development, test and production kept apart", "Changes managed", "Test data protected", "Systems protected during audit testing",
        ];
        return [.. Theme("A.5", organisational), .. Theme("A.6", people), .. Theme("A.7", physical), .. Theme("A.8", technological)];
    }

    private static IEnumerable<AnnexAControl> Theme(string theme, string[] titles) =>
        titles.Select((title, i) => new AnnexAControl($"{theme}.{i + 1}", theme, title));
}
