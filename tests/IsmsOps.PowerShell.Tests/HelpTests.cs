using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>
/// Get-Help, in the real engine, for the module as built: every exported command must have help compiled from its XML
/// docs, found where PowerShell looks (out/IsmsOps/&lt;version&gt;/en-US/IsmsOps.PowerShell.dll-Help.xml).
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class HelpTests
{
    // One object per exported command, in plain strings, so the assertions below read without PowerShell plumbing.
    private const string HelpFacts = """
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        Get-Command -Module IsmsOps | ForEach-Object {
            $help = Get-Help $_.Name -Full
            [pscustomobject]@{
                Name                = $_.Name
                FromMaml            = $help.PSTypeNames -contains 'MamlCommandHelpInfo'
                Synopsis            = [string]$help.Synopsis
                Description         = ($help.description | ForEach-Object Text) -join "`n"
                Parameters          = @($_.Parameters.Keys | Where-Object { $_ -notin $common })
                DescribedParameters = @($help.parameters.parameter | Where-Object { ($_.description | ForEach-Object Text) -join '' } | ForEach-Object name)
                ExampleCode         = @($help.examples.example | ForEach-Object code)
                HelpSyntax          = @($help.syntax.syntaxItem | ForEach-Object { @($_.parameter | ForEach-Object name) -join ',' })
                CommandSyntax       = @($_.ParameterSets | ForEach-Object { @($_.Parameters | ForEach-Object Name | Where-Object { $_ -notin $common }) -join ',' })
            }
        }
        """;

    [Fact]
    public void Every_exported_command_has_a_synopsis_a_description_every_parameter_described_and_an_example()
    {
        using var ps = new PowerShellSession();
        List<PSObject> commands = ps.Run(HelpFacts).ToList();
        Assert.Empty(ps.Errors);
        Assert.NotEmpty(commands);

        var gaps = new List<string>();
        foreach (PSObject command in commands)
        {
            string name = Text(command, "Name");
            string synopsis = Text(command, "Synopsis").Trim();
            if (!(bool)command.Properties["FromMaml"].Value)
            {
                gaps.Add($"{name}: Get-Help found no MAML help (it made up a stub from the syntax).");
            }

            // Without help, PowerShell puts the syntax line where the synopsis goes.
            if (synopsis.Length == 0 || synopsis.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase))
            {
                gaps.Add($"{name}: no synopsis (got '{synopsis}').");
            }

            if (Text(command, "Description").Trim().Length == 0)
            {
                gaps.Add($"{name}: no description.");
            }

            string[] described = Texts(command, "DescribedParameters");
            gaps.AddRange(Texts(command, "Parameters")
                .Where(parameter => !described.Contains(parameter, StringComparer.OrdinalIgnoreCase))
                .Select(parameter => $"{name}: parameter -{parameter} has no description."));

            string[] examples = Texts(command, "ExampleCode");
            if (examples.Length == 0 || examples.Any(code => code.Trim().Length == 0))
            {
                gaps.Add($"{name}: needs at least one example, each with code (has {examples.Length}).");
            }
        }

        // Every gap, one a line: xunit's own message for a non-empty collection cuts them short.
        Assert.True(gaps.Count == 0, "Help gaps:" + Environment.NewLine + string.Join(Environment.NewLine, gaps));
    }

    [Fact]
    public void Help_syntax_has_the_parameter_sets_PowerShell_binds()
    {
        using var ps = new PowerShellSession();
        List<PSObject> commands = ps.Run(HelpFacts).ToList();
        Assert.Empty(ps.Errors);

        foreach (PSObject command in commands)
        {
            // Order within a syntax line is presentation; the set of parameters per line is the fact to match.
            static string[] Normalise(string[] lines) =>
                lines.Select(line => string.Join(",", line.Split(',').Order(StringComparer.OrdinalIgnoreCase))).Order(StringComparer.Ordinal).ToArray();

            Assert.Equal(Normalise(Texts(command, "CommandSyntax")), Normalise(Texts(command, "HelpSyntax")));
        }
    }

    [Fact]
    public void Parameter_help_states_what_the_attributes_say()
    {
        using var ps = new PowerShellSession();
        PSObject facts = ps.Run("""
            $help = Get-Help New-IsmsPerson -Full
            $personId = $help.parameters.parameter | Where-Object name -eq PersonId
            $employmentType = $help.parameters.parameter | Where-Object name -eq EmploymentType
            $getPersonId = (Get-Help Get-IsmsPerson -Full).parameters.parameter | Where-Object name -eq PersonId
            [pscustomobject]@{
                PersonId       = '{0}|{1}|{2}|{3}' -f $personId.required, $personId.position, $personId.pipelineInput, $personId.aliases
                EmploymentType = '{0}|{1}' -f $employmentType.defaultValue, (@($employmentType.parameterValueGroup.parameterValue) -join ',')
                Wildcards      = $getPersonId.globbing
                Outputs        = $help.returnValues.returnValue.type.name
            }
            """).Single();
        Assert.Empty(ps.Errors);

        Assert.Equal("true|0|True (ByPropertyName)|EmployeeId", Text(facts, "PersonId"), ignoreCase: true);
        Assert.Equal("Employee|Employee,Contractor,Vendor,Guest", Text(facts, "EmploymentType"));
        Assert.Equal("true", Text(facts, "Wildcards"), ignoreCase: true);
        Assert.Equal("IsmsOps.Engine.People.Person", Text(facts, "Outputs"));
    }

    [Fact]
    public void The_about_topic_is_found_by_name()
    {
        using var ps = new PowerShellSession();
        string topic = string.Concat(ps.Run("Get-Help about_IsmsOps").Select(o => o.BaseObject as string));
        Assert.Empty(ps.Errors);
        Assert.Contains("about_IsmsOps", topic, StringComparison.Ordinal);
        Assert.Contains("SHORT DESCRIPTION", topic, StringComparison.Ordinal);
    }

    private static string Text(PSObject o, string property) => LanguagePrimitives.ConvertTo<string>(o.Properties[property].Value) ?? "";

    private static string[] Texts(PSObject o, string property) => LanguagePrimitives.ConvertTo<string[]>(o.Properties[property].Value) ?? [];
}
