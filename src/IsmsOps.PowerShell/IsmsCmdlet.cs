using System.Collections.Concurrent;
using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.People;

namespace IsmsOps.PowerShell;

/// <summary>
/// Base of every IsmsOps cmdlet: owns the cancellation that Ctrl+C (StopProcessing) triggers, runs engine work off
/// the pipeline thread while relaying progress and messages back onto it, and turns engine errors into ErrorRecords.
/// </summary>
public abstract class IsmsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly BlockingCollection<Action> _pipelineWork = new();
    private OperationContext? _operation;
    private bool _storeReported;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken Cancellation => _cancellation.Token;

    /// <summary>The open workspace for the current <c>ISMSOPS_HOME</c>; opened on first use.</summary>
    protected IsmsWorkspace Workspace
    {
        get
        {
            IsmsWorkspace workspace = ModuleSession.GetWorkspace();
            if (!_storeReported)
            {
                _storeReported = true;
                WriteDebug($"Store: {workspace.Store.Description} (schema {workspace.Store.SchemaVersion}).");
            }

            return workspace;
        }
    }

    /// <summary>Who is acting; one correlation id for the whole run of this cmdlet, across pipeline input.</summary>
    protected OperationContext Operation => _operation ??= OperationContext.ForCurrentUser();

    /// <summary>
    /// Runs engine work against the workspace on a worker thread, and pumps its posted actions on the pipeline thread
    /// until it ends. The workspace is resolved here, on the pipeline thread.
    /// </summary>
    protected T Run<T>(Func<IsmsWorkspace, CancellationToken, Task<T>> work)
    {
        IsmsWorkspace workspace = Workspace;
        return Run(ct => work(workspace, ct));
    }

    /// <summary>Runs engine work that needs no store (such as verifying an export on an auditor's machine).</summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        Task<T> task = Task.Run(() => work(Cancellation), Cancellation);
        while (!task.IsCompleted)
        {
            if (_pipelineWork.TryTake(out Action? action, 25))
            {
                action();
            }
        }

        while (_pipelineWork.TryTake(out Action? action))
        {
            action();
        }

        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Runs engine work that returns nothing, off the pipeline thread like <see cref="Run{T}(Func{CancellationToken, Task{T}})"/>.</summary>
    protected void Run(Func<CancellationToken, Task> work) => Run(async ct =>
    {
        await work(ct).ConfigureAwait(false);
        return true;
    });

    /// <summary>
    /// True when this run only shows what it would do, for a cmdlet that lists each step it would take before the one
    /// overall question: -WhatIf given, or, without -WhatIf, <c>$WhatIfPreference</c> set. <c>-WhatIf:$false</c> wins
    /// over the preference, as it does for ShouldProcess itself.
    /// </summary>
    protected bool WhatIfRequested => MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
        ? ((SwitchParameter)whatIf).IsPresent
        : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    /// <summary>
    /// The shape every Set- cmdlet shares: previews the change, asks with the list of changed fields (what -WhatIf
    /// shows; sensitive fields are named by the engine, never shown), then stores it. A change that alters nothing is
    /// stored without asking (the engine neither writes nor audits it). Returns the stored record, or null when declined.
    /// </summary>
    protected T? ChangeAfterPreview<T>(string target, Func<IsmsWorkspace, CancellationToken, Task<IReadOnlyList<FieldChange>>> preview,
        Func<IsmsWorkspace, CancellationToken, Task<T>> update)
        where T : class
    {
        IReadOnlyList<FieldChange> changes = Run(preview);
        if (changes.Count == 0)
        {
            WriteVerbose($"{target}: nothing to change.");
        }
        else if (!ShouldProcess(target, "Change " + string.Join("; ", changes)))
        {
            return null;
        }

        return Run(update);
    }

    /// <summary>Writes <paramref name="value"/> under a view of its own (IsmsOps.Format.ps1xml), such as the one that shows sensitive fields.</summary>
    protected void WriteObjectAs(object value, string viewTypeName)
    {
        var shown = PSObject.AsPSObject(value);
        shown.TypeNames.Insert(0, viewTypeName);
        WriteObject(shown);
    }

    /// <summary>
    /// The directory to read for a cmdlet with -SnapshotPath: that file, else the snapshot imported in this session,
    /// else the live Graph connection (IsmsOps.Graph.NotConnected when there is none). Says which, with -Verbose.
    /// </summary>
    protected IDirectorySource ResolveDirectory(string? snapshotPath)
    {
        string? file = snapshotPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(snapshotPath);
        // Read here: the imported snapshot belongs to this runspace, which the worker thread does not have.
        SnapshotDirectorySource? imported = DirectorySession.Imported;
        IDirectorySource source = Run(ct => Task.FromResult(DirectorySession.Resolve(file, imported, ct)));
        WriteVerbose($"Reading the directory from {source.Description}.");
        return source;
    }

    /// <summary>Queues <paramref name="action"/> (WriteProgress, WriteVerbose) to run on the pipeline thread.</summary>
    protected void Post(Action action) => _pipelineWork.Add(action);

    /// <summary>A progress sink for engine work that reports on the pipeline thread.</summary>
    protected IProgress<long> ProgressOf(int activityId, string activity, long total, string unit) => new PostedProgress(this, done =>
    {
        var record = new ProgressRecord(activityId, activity, $"{done:N0} of {total:N0} {unit}")
        {
            PercentComplete = total > 0 ? (int)Math.Min(100, done * 100 / total) : -1,
        };
        WriteProgress(record);
    });

    /// <summary>Writes a non-terminating error: the pipeline goes on with the next item.</summary>
    protected void WriteIsmsError(IsmsException exception) => WriteError(IsmsErrors.From(exception));

    /// <summary>Runs work whose engine error stops the whole command (a terminating error), such as loading what every item needs.</summary>
    protected void StopOnError(Action work)
    {
        try
        {
            work();
        }
        catch (IsmsException ex)
        {
            ThrowTerminatingError(IsmsErrors.From(ex));
        }
    }

    /// <summary>Runs one item's work; an engine error becomes a non-terminating error for that item alone.</summary>
    protected void ForEachItem(Action work)
    {
        try
        {
            work();
        }
        catch (IsmsException ex) when (!ex.IsStoreFault)
        {
            WriteIsmsError(ex);
        }
        catch (IsmsException ex)
        {
            // A store that cannot be opened or written fails every item the same way: stop once, clearly.
            ThrowTerminatingError(IsmsErrors.From(ex));
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Releases the cancellation source; a cmdlet that leaves engine work running between its pipeline calls (an HR
    /// feed's leavers) overrides this to stop and wait for that work first.
    /// </summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cancellation.Dispose();
            _pipelineWork.Dispose();
        }
    }

    private sealed class PostedProgress(IsmsCmdlet owner, Action<long> report) : IProgress<long>
    {
        public void Report(long value) => owner.Post(() => report(value));
    }
}
