using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IsmsOps.Engine;
using IsmsOps.Engine.People;

namespace IsmsOps.PowerShell;

/// <summary>Tab completion of PersonIds from the register (one indexed read; nothing when no store is reachable).</summary>
public sealed class PersonIdCompleter : IArgumentCompleter
{
    /// <summary>Completes PersonIds that start with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<Person> people;
        try
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            people = ModuleSession.GetWorkspace().People
                .FindAsync(new PersonQuery { PersonIdPatterns = [prefix + "*"] }, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (IsmsException)
        {
            return [];
        }

        return people.Take(100).Select(p => new CompletionResult(p.PersonId, p.PersonId, CompletionResultType.ParameterValue, $"{p.DisplayName} ({p.Status})"));
    }
}
