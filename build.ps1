#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, packages and cleans IsmsOps.

.DESCRIPTION
    Runs the tasks in the order given. Build and Test call the .NET SDK; building assembles the importable module at
    out/IsmsOps/<version>/ and the bundled host at out/isms/. Package builds the module in Release into a fresh folder
    of its own, out/package-build/IsmsOps/<version>/, checks that its IsmsOps assemblies are Release builds, and zips
    it into a .nupkg that a PowerShell repository (PSResourceGet, PowerShellGet) accepts. With -NoBuild it zips
    out/IsmsOps/<version>/ as the last build left it, whatever its configuration (dotnet test builds Debug there).
    Clean removes out/ and every bin/ and obj/ folder under src, tests and bench.

    The script runs under pwsh and under the bundled host (dotnet out/isms/isms.dll -File build.ps1 ...), which has only
    the engine's core cmdlets: it uses .NET calls where a script would usually use Join-Path, Test-Path, Remove-Item,
    Write-Host or Compress-Archive. Build, Test and Clean replace or delete out/, where the bundled host and the module
    it imported are loaded from: that works on Linux and macOS, but on Windows those files are locked, so run these
    tasks there with pwsh (or dotnet directly) and use the bundled host for Package, which leaves out/IsmsOps and
    out/isms alone.

.PARAMETER Task
    Build, Test, Package or Clean; several run in the order given.

.PARAMETER Configuration
    The .NET build configuration for Build and Test. Package always builds Release.

.PARAMETER OutputPath
    The folder Package writes the .nupkg to; out/packages by default. A relative path is taken from the current folder.

.PARAMETER NoBuild
    Package packs out/IsmsOps/<version>/ as it is, without building and without the Release check.

.EXAMPLE
    ./build.ps1 -Task Build,Package

.EXAMPLE
    dotnet out/isms/isms.dll -File build.ps1 -Task Package -OutputPath ./artifacts
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $OutputPath,

    [switch] $NoBuild
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$RepoRoot = $PSScriptRoot
$Solution = [System.IO.Path]::Combine($RepoRoot, 'IsmsOps.sln')

function Read-ModuleManifest([string] $Path) {
    # Import-PowerShellDataFile is a Utility cmdlet; this is what it does: parse, then evaluate constants only.
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $errors)
    if ($errors.Count -gt 0) {
        throw "The module manifest $Path does not parse: $($errors[0].Message)"
    }

    $hashtable = $ast.Find({ param($node) $node -is [System.Management.Automation.Language.HashtableAst] }, $false)
    if ($null -eq $hashtable) {
        throw "The module manifest $Path holds no hashtable."
    }

    $hashtable.SafeGetValue()
}

function Invoke-DotNet([string[]] $Arguments) {
    $Host.UI.WriteLine("> dotnet $($Arguments -join ' ')")
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-DotNet @('build', $Solution, '-c', $Configuration)
}

function Invoke-Test {
    Invoke-DotNet @('test', $Solution, '-c', $Configuration)
}

function Invoke-Clean {
    $targets = [System.Collections.Generic.List[string]]::new()
    $targets.Add([System.IO.Path]::Combine($RepoRoot, 'out'))
    foreach ($area in 'src', 'tests', 'bench') {
        $root = [System.IO.Path]::Combine($RepoRoot, $area)
        if ([System.IO.Directory]::Exists($root)) {
            foreach ($dir in [System.IO.Directory]::EnumerateDirectories($root, '*', [System.IO.SearchOption]::AllDirectories)) {
                $name = [System.IO.Path]::GetFileName($dir)
                if ($name -ceq 'bin' -or $name -ceq 'obj') {
                    $targets.Add($dir)
                }
            }
        }
    }

    foreach ($dir in $targets) {
        # A bin/ inside an obj/ (or the reverse) is gone once its parent is.
        if ([System.IO.Directory]::Exists($dir)) {
            $Host.UI.WriteLine("Removing $dir")
            [System.IO.Directory]::Delete($dir, $true)
        }
    }
}

function Build-PackageModule([string] $BuildRoot, [string] $ModuleFolder) {
    # A folder of its own, emptied first: nothing stale from earlier builds, no Debug binaries from dotnet test, and
    # the module the running host imported from out/IsmsOps/ is not touched (on Windows its files are locked).
    # dotnet's output is this function's output: call it as a statement, so it reaches the console as it comes.
    if ([System.IO.Directory]::Exists($BuildRoot)) {
        [System.IO.Directory]::Delete($BuildRoot, $true)
    }

    $project = [System.IO.Path]::Combine($RepoRoot, 'src', 'IsmsOps.PowerShell', 'IsmsOps.PowerShell.csproj')
    # ModuleOutDir (Directory.Build.props) is where the build assembles the module; MSBuild wants the trailing slash.
    Invoke-DotNet @('build', $project, '-c', 'Release', "-p:ModuleOutDir=$ModuleFolder/")
}

function Test-OptimizerDisabled([string] $Path) {
    # Reads the assembly's metadata without loading it. The C# compiler marks every assembly with
    # [assembly: Debuggable(DebuggingModes)]; -c Debug adds DisableOptimizations (0x100) to the modes.
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try {
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            foreach ($handle in $reader.GetAssemblyDefinition().GetCustomAttributes()) {
                $attribute = $reader.GetCustomAttribute($handle)
                if ($attribute.Constructor.Kind -ne [System.Reflection.Metadata.HandleKind]::MemberReference) {
                    continue
                }

                $constructor = $reader.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle] $attribute.Constructor)
                if ($constructor.Parent.Kind -ne [System.Reflection.Metadata.HandleKind]::TypeReference) {
                    continue
                }

                $type = $reader.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle] $constructor.Parent)
                if ($reader.GetString($type.Name) -cne 'DebuggableAttribute') {
                    continue
                }

                # The value blob: the prolog 01 00, the constructor's arguments, then a 16-bit count of named ones.
                $blob = $reader.GetBlobBytes($attribute.Value)
                switch ($blob.Length) {
                    8 { return ([System.BitConverter]::ToInt32($blob, 2) -band 0x100) -ne 0 }  # (DebuggingModes modes)
                    6 { return $blob[3] -ne 0 }  # (bool isJITTrackingEnabled, bool isJITOptimizerDisabled)
                    default { throw "$Path has a DebuggableAttribute this script does not read ($($blob.Length) bytes)." }
                }
            }

            # No DebuggableAttribute at all: nothing disables the JIT optimizer.
            $false
        }
        finally {
            $pe.Dispose()
        }
    }
    finally {
        $stream.Dispose()
    }
}

function Assert-ReleaseModule([string] $ModuleFolder) {
    # System.Reflection.Metadata is in the runtime, but pwsh does not load it up front.
    $null = [System.Reflection.Assembly]::Load('System.Reflection.Metadata')
    foreach ($file in [System.IO.Directory]::GetFiles($ModuleFolder, 'IsmsOps.*.dll', [System.IO.SearchOption]::AllDirectories)) {
        if (Test-OptimizerDisabled $file) {
            throw "$file is a Debug build (its DebuggableAttribute disables the JIT optimizer); Package ships Release only."
        }
    }
}

function Invoke-Package {
    $sourceManifest = Read-ModuleManifest ([System.IO.Path]::Combine($RepoRoot, 'module', 'IsmsOps.psd1'))
    $version = $sourceManifest.ModuleVersion
    if ($NoBuild) {
        $moduleFolder = [System.IO.Path]::Combine($RepoRoot, 'out', 'IsmsOps', $version)
    }
    else {
        $buildRoot = [System.IO.Path]::Combine($RepoRoot, 'out', 'package-build')
        $moduleFolder = [System.IO.Path]::Combine($buildRoot, 'IsmsOps', $version)
        Build-PackageModule $buildRoot $moduleFolder
        Assert-ReleaseModule $moduleFolder
    }

    $manifestPath = [System.IO.Path]::Combine($moduleFolder, 'IsmsOps.psd1')
    if (-not [System.IO.File]::Exists($manifestPath)) {
        throw "The module is not assembled at $moduleFolder, and -NoBuild packs only what a build left there. Run ./build.ps1 -Task Build,Package -NoBuild, or Package without -NoBuild."
    }

    $manifest = Read-ModuleManifest $manifestPath
    $destination = if ($OutputPath) {
        [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PWD.ProviderPath, $OutputPath))
    }
    else {
        [System.IO.Path]::Combine($RepoRoot, 'out', 'packages')
    }

    $null = [System.IO.Directory]::CreateDirectory($destination)
    $packagePath = [System.IO.Path]::Combine($destination, "IsmsOps.$version.nupkg")
    if ([System.IO.File]::Exists($packagePath)) {
        [System.IO.File]::Delete($packagePath)
    }

    $files = [System.IO.Directory]::GetFiles($moduleFolder, '*', [System.IO.SearchOption]::AllDirectories)
    [array]::Sort($files, [System.StringComparer]::Ordinal)

    # ZipFile lives in its own assembly, which pwsh does not load up front (and Add-Type is not a core cmdlet).
    $null = [System.Reflection.Assembly]::Load('System.IO.Compression.ZipFile')
    $zip = [System.IO.Compression.ZipFile]::Open($packagePath, [System.IO.Compression.ZipArchiveMode]::Create)
    try {
        $partNames = [System.Collections.Generic.List[string]]::new()
        foreach ($file in $files) {
            $entryName = [System.IO.Path]::GetRelativePath($moduleFolder, $file).Replace('\', '/')
            $null = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $file, $entryName, [System.IO.Compression.CompressionLevel]::Optimal)
            $partNames.Add($entryName)
        }

        Add-ZipText $zip 'IsmsOps.nuspec' (New-Nuspec $manifest)
        Add-ZipText $zip '_rels/.rels' (New-PackageRelationships)
        $partNames.Add('IsmsOps.nuspec')
        $partNames.Add('_rels/.rels')
        Add-ZipText $zip '[Content_Types].xml' (New-ContentTypes $partNames)
    }
    finally {
        $zip.Dispose()
    }

    $packagePath
}

function Add-ZipText($Zip, [string] $EntryName, [string] $Text) {
    $entry = $Zip.CreateEntry($EntryName, [System.IO.Compression.CompressionLevel]::Optimal)
    $writer = [System.IO.StreamWriter]::new($entry.Open(), [System.Text.UTF8Encoding]::new($false))
    try {
        $writer.Write($Text)
    }
    finally {
        $writer.Dispose()
    }
}

function ConvertTo-XmlText([object] $Value) {
    [System.Security.SecurityElement]::Escape([string] $Value)
}

function New-Nuspec([hashtable] $Manifest) {
    # The tags PowerShell repositories search by: what the package is, and every command it brings.
    $commands = @($Manifest.CmdletsToExport)
    $tags = [System.Collections.Generic.List[string]]::new()
    $tags.Add('PSModule')
    if ($commands.Count -gt 0) {
        $tags.Add('PSIncludes_Cmdlet')
    }

    foreach ($command in $commands) {
        $tags.Add("PSCmdlet_$command")
        $tags.Add("PSCommand_$command")
    }

    foreach ($edition in @($Manifest['CompatiblePSEditions'])) {
        if ($edition) {
            $tags.Add("PSEdition_$edition")
        }
    }

    $psData = @{}
    if ($Manifest['PrivateData'] -is [hashtable] -and $Manifest.PrivateData['PSData'] -is [hashtable]) {
        $psData = $Manifest.PrivateData.PSData
    }
    foreach ($tag in @($psData['Tags'])) {
        if ($tag -and -not $tags.Contains($tag)) {
            $tags.Add($tag)
        }
    }

    $optional = [System.Text.StringBuilder]::new()
    if ($psData['LicenseUri']) {
        $null = $optional.AppendLine("    <licenseUrl>$(ConvertTo-XmlText $psData.LicenseUri)</licenseUrl>")
    }

    if ($psData['ProjectUri']) {
        $null = $optional.AppendLine("    <projectUrl>$(ConvertTo-XmlText $psData.ProjectUri)</projectUrl>")
    }

    if ($psData['ReleaseNotes']) {
        $null = $optional.AppendLine("    <releaseNotes>$(ConvertTo-XmlText $psData.ReleaseNotes)</releaseNotes>")
    }

    @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>IsmsOps</id>
    <version>$(ConvertTo-XmlText $Manifest.ModuleVersion)</version>
    <authors>$(ConvertTo-XmlText $Manifest.Author)</authors>
    <owners>$(ConvertTo-XmlText $Manifest.CompanyName)</owners>
    <requireLicenseAcceptance>false</requireLicenseAcceptance>
    <description>$(ConvertTo-XmlText $Manifest.Description)</description>
    <copyright>$(ConvertTo-XmlText $Manifest.Copyright)</copyright>
$($optional.ToString().TrimEnd())
    <tags>$(ConvertTo-XmlText ($tags -join ' '))</tags>
  </metadata>
</package>
"@
}

function New-PackageRelationships {
    @"
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/IsmsOps.nuspec" Id="R0" />
</Relationships>
"@
}

function New-ContentTypes([string[]] $PartNames) {
    # Open Packaging Conventions: a content type for every extension in the package, or per part when it has none.
    $types = [System.Text.StringBuilder]::new()
    $extensions = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($part in $PartNames) {
        $extension = [System.IO.Path]::GetExtension($part).TrimStart('.')
        $type = if ($extension -eq 'rels') { 'application/vnd.openxmlformats-package.relationships+xml' } else { 'application/octet' }
        if ($extension.Length -eq 0) {
            $null = $types.AppendLine("  <Override PartName=`"/$(ConvertTo-XmlText $part)`" ContentType=`"$type`" />")
        }
        elseif ($extensions.Add($extension)) {
            $null = $types.AppendLine("  <Default Extension=`"$(ConvertTo-XmlText $extension)`" ContentType=`"$type`" />")
        }
    }

    @"
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
$($types.ToString().TrimEnd())
</Types>
"@
}

foreach ($name in $Task) {
    $Host.UI.WriteLine("== $name")
    switch ($name) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
