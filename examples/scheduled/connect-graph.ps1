# Connects the job's session to Microsoft Graph, from the environment, so the same job runs unchanged under cron,
# systemd, Task Scheduler, Azure Automation and the webhook listener. Dot-source it: . ./connect-graph.ps1
#
# The first of these that is set wins:
#   ISMSOPS_SANDBOX_URL (+ ISMSOPS_SANDBOX_TOKEN, ISMSOPS_SANDBOX_TENANT)  a running IsmsOps sandbox, to try the job
#   ISMSOPS_MANAGED_IDENTITY=1 (+ optional ISMSOPS_CLIENT_ID)              Azure Automation, a VM or a Function
#   ISMSOPS_TENANT_ID + ISMSOPS_CLIENT_ID + ISMSOPS_CERT_THUMBPRINT        certificate in the machine's store
#   ISMSOPS_TENANT_ID + ISMSOPS_CLIENT_ID + ISMSOPS_CERT_PATH              certificate file (.pfx/.pem), readable by the job only
# Nothing secret is written to the job's output: the sandbox token and certificate stay in the connection.
# Core cmdlets only (no Write-Host, Join-Path ...), so it runs in the bundled isms host as well as in pwsh 7.4.

function Connect-IsmsJobGraph {
    if ($env:ISMSOPS_SANDBOX_URL) {
        $sandbox = @{ Url = $env:ISMSOPS_SANDBOX_URL; AccessToken = $env:ISMSOPS_SANDBOX_TOKEN; TenantId = $env:ISMSOPS_SANDBOX_TENANT }
        Connect-IsmsGraph -Sandbox $sandbox -ErrorAction Stop
    }
    elseif ($env:ISMSOPS_MANAGED_IDENTITY -eq '1') {
        if ($env:ISMSOPS_CLIENT_ID) { Connect-IsmsGraph -ManagedIdentity -ClientId $env:ISMSOPS_CLIENT_ID -ErrorAction Stop }
        else { Connect-IsmsGraph -ManagedIdentity -ErrorAction Stop }
    }
    elseif ($env:ISMSOPS_CERT_THUMBPRINT) {
        Connect-IsmsGraph -TenantId $env:ISMSOPS_TENANT_ID -ClientId $env:ISMSOPS_CLIENT_ID -CertificateThumbprint $env:ISMSOPS_CERT_THUMBPRINT -ErrorAction Stop
    }
    elseif ($env:ISMSOPS_CERT_PATH) {
        Connect-IsmsGraph -TenantId $env:ISMSOPS_TENANT_ID -ClientId $env:ISMSOPS_CLIENT_ID -CertificatePath $env:ISMSOPS_CERT_PATH -ErrorAction Stop
    }
    else {
        throw 'No Graph connection is configured: set ISMSOPS_MANAGED_IDENTITY=1, or ISMSOPS_TENANT_ID, ISMSOPS_CLIENT_ID and ISMSOPS_CERT_THUMBPRINT (or ISMSOPS_CERT_PATH), or ISMSOPS_SANDBOX_URL and ISMSOPS_SANDBOX_TOKEN to try the job against a sandbox.'
    }
}
