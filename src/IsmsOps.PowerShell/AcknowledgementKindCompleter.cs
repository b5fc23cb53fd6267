using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IsmsOps.Engine.Acknowledgements;

namespace IsmsOps.PowerShell;

/// <summary>Tab completion of acknowledgement kinds.</summary>
public sealed class AcknowledgementKindCompleter : IArgumentCompleter
{
    /// <summary>Completes the kinds that start with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Enum.GetNames<AcknowledgementKind>().Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }
}
