<#
.SYNOPSIS
    A minimal local webhook endpoint for HR events, to try the webhook flow against the sandbox (or behind a reverse
    proxy that terminates TLS).

.DESCRIPTION
    Listens on http://127.0.0.1:<Port>/hr-events/ (loopback only). Each POST body is one HR event; it is applied with
    Invoke-IsmsHrEvent and the person's due work is done with Invoke-IsmsLifecycle, in this process, on one Graph
    connection. Answers: 200 applied or already processed (a re-delivery does nothing), 400 not an event, 401 wrong
    or missing secret, 405 not a POST, 422 refused, 500 the work failed (the scheduled job retries it), 503 not
    applied because the store failed (the sender should retry).
    When ISMSOPS_WEBHOOK_SECRET is set, a request must carry it in the X-IsmsOps-Secret header (compared in fixed time).
    Stops after -MaxRequests requests (0: never). One request at a time: HR systems deliver in order, and the store
    takes one writer at a time anyway.

.EXAMPLE
    $env:ISMSOPS_SANDBOX_URL = $sb.Url; $env:ISMSOPS_SANDBOX_TOKEN = $sb.AccessToken   # from Start-IsmsSandbox elsewhere
    dotnet isms.dll -File listener.ps1 -Port 8089
    curl -s -X POST --data-binary @event.json http://127.0.0.1:8089/hr-events/
#>
[CmdletBinding()]
param(
    [int] $Port = 8089,
    [int] $MaxRequests = 0
)

function Write-ListenerError([string] $message) { [Console]::Error.WriteLine("listener: $message") }

try {
    Import-Module IsmsOps -ErrorAction Stop
    . ([System.IO.Path]::Combine($PSScriptRoot, '..', 'scheduled', 'connect-graph.ps1'))
    Connect-IsmsJobGraph | Out-Null
}
catch {
    Write-ListenerError "cannot start: $($_.Exception.Message)"
    exit 2
}

$secret = $env:ISMSOPS_WEBHOOK_SECRET
$listener = [System.Net.HttpListener]::new()
$listener.Prefixes.Add("http://127.0.0.1:$Port/hr-events/")
$listener.Start()
"listener: listening on http://127.0.0.1:$Port/hr-events/"

function Send-Answer($context, [int] $status, [string] $text) {
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($text + "`n")
    $context.Response.StatusCode = $status
    $context.Response.ContentType = 'text/plain; charset=utf-8'
    # A known length answers at once; a chunked answer waits on the client.
    $context.Response.ContentLength64 = $bytes.Length
    $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
    $context.Response.Close()
}

function Test-Secret($request) {
    if (-not $secret) { return $true }
    $given = $request.Headers['X-IsmsOps-Secret']
    if (-not $given) { return $false }
    $a = [System.Text.Encoding]::UTF8.GetBytes($given)
    $b = [System.Text.Encoding]::UTF8.GetBytes($secret)
    return [System.Security.Cryptography.CryptographicOperations]::FixedTimeEquals($a, $b)
}

$served = 0
try {
    while ($MaxRequests -eq 0 -or $served -lt $MaxRequests) {
        $context = $listener.GetContext()
        $served++
        $request = $context.Request
        if ($request.HttpMethod -ne 'POST') { Send-Answer $context 405 'POST one HR event as JSON.'; continue }
        if (-not (Test-Secret $request)) { Send-Answer $context 401 'Missing or wrong X-IsmsOps-Secret.'; continue }

        $reader = [System.IO.StreamReader]::new($request.InputStream, [System.Text.Encoding]::UTF8)
        $body = $reader.ReadToEnd()
        $reader.Dispose()
        try {
            $outcome = Invoke-IsmsHrEvent -Json $body -Confirm:$false -ErrorAction Stop
        }
        catch {
            # Only IsmsOps.HrEvent.* errors are about the body; anything else (the store failing) is worth a retry.
            if ($_.FullyQualifiedErrorId -like 'IsmsOps.HrEvent.*') { Send-Answer $context 400 "Not an HR event: $($_.Exception.Message)" }
            else { Send-Answer $context 503 "Not applied; retry later: $($_.Exception.Message)" }
            continue
        }

        $line = "$($outcome.IdempotencyKey) $($outcome.Kind) $($outcome.PersonId) $($outcome.Status)"
        "listener: $line"
        if ("$($outcome.Status)" -eq 'Refused') {
            Send-Answer $context 422 "$line ($($outcome.ErrorId)): $($outcome.Reason)"
            continue
        }

        $lifecycleErrors = @()
        $results = @($outcome | Invoke-IsmsLifecycle -Confirm:$false -ErrorVariable +lifecycleErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $lines = @($line) + @($results | ForEach-Object { "$($_.PersonId) $($_.Work) $($_.Status) $($_.CaseId)" })
        foreach ($l in $lines) { "listener: $l" }
        if ($lifecycleErrors.Count -gt 0) {
            foreach ($e in $lifecycleErrors) { Write-ListenerError $e.Exception.Message }
            Send-Answer $context 500 (($lines + @($lifecycleErrors | ForEach-Object { $_.Exception.Message })) -join "`n")
        }
        else {
            Send-Answer $context 200 ($lines -join "`n")
        }
    }
}
finally {
    $listener.Stop()
    $listener.Close()
}
exit 0
