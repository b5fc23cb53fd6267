using System.Reflection;

namespace IsmsOps.HelpCompiler;

/// <summary>Everything Get-Help shows about one cmdlet, gathered from reflection and the XML docs.</summary>
internal sealed record CommandHelp
{
    public required string Name { get; init; }
    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public required string Synopsis { get; init; }
    public required IReadOnlyList<string> Description { get; init; }
    public required IReadOnlyList<SyntaxItem> Syntax { get; init; }
    public required IReadOnlyList<ParameterHelp> Parameters { get; init; }
    public required IReadOnlyList<TypeHelp> Inputs { get; init; }
    public required IReadOnlyList<TypeHelp> Outputs { get; init; }
    public required IReadOnlyList<ExampleHelp> Examples { get; init; }
    public required IReadOnlyList<RelatedLink> RelatedLinks { get; init; }
}

/// <summary>One parameter as the Parameters section describes it: what holds in every parameter set it is in.</summary>
internal sealed record ParameterHelp
{
    public required string Name { get; init; }
    /// <summary>As PowerShell shows it in syntax: String[], DateTime, PersonStatus.</summary>
    public required string TypeName { get; init; }
    /// <summary>With its namespace: System.String[], IsmsOps.Engine.People.PersonStatus.</summary>
    public required string FullTypeName { get; init; }
    public required bool IsSwitch { get; init; }
    public required IReadOnlyList<string> Description { get; init; }
    public required IReadOnlyList<string> Aliases { get; init; }
    public required bool SupportsWildcards { get; init; }
    /// <summary>Null when there is none worth showing (mandatory, or nothing set).</summary>
    public required string? DefaultValue { get; init; }
    /// <summary>Enum names or [ValidateSet] values; empty when any value of the type goes.</summary>
    public required IReadOnlyList<string> PossibleValues { get; init; }
    public required IReadOnlyList<ParameterUse> Uses { get; init; }

    public bool Required => Uses.All(use => use.Mandatory);
    public int? Position => Uses.Select(use => use.Position).Distinct().Count() == 1 ? Uses[0].Position : null;
    public bool ByValue => Uses.Any(use => use.ByValue);
    public bool ByPropertyName => Uses.Any(use => use.ByPropertyName);
}

/// <summary>How a parameter binds in one parameter set.</summary>
internal sealed record ParameterUse(string ParameterSet, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName);

/// <summary>One parameter set's syntax line: its parameters in the order PowerShell users expect.</summary>
internal sealed record SyntaxItem(string ParameterSet, IReadOnlyList<(ParameterHelp Parameter, ParameterUse Use)> Parameters);

/// <summary>A pipeline input or output type and what to know about it.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

internal sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

internal sealed record RelatedLink(string Text, string? Uri);

/// <summary>A documentation gap that fails the build, with the member it is about (to point at its source).</summary>
internal sealed record HelpProblem(MemberInfo Member, string Message);
