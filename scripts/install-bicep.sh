#!/usr/bin/env bash
# Installs the Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (the only
# registry this project can reach; the usual installers download from elsewhere) and prints the
# path of the binary. Idempotent: a second run only prints the path.
# The package is restored by a throwaway project outside the repo, so the repo's central package
# management and Directory.Build.props stay out of it, and nothing of the package is checked in.
set -euo pipefail
version=0.49.2
tools_dir=${AZNF_TOOLS_DIR:-$HOME/.cache/aznf}
target_dir="$tools_dir/bicep-$version"
bicep="$target_dir/bicep"
if [[ -x "$bicep" ]] && "$bicep" --version 2>/dev/null | grep -q "$version"; then
  echo "$bicep"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/BicepDownload.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" />
  </ItemGroup>
</Project>
PROJ
# The throwaway project sits in a temp dir, so no Directory.Build.props of the repo applies.
dotnet restore "$work/BicepDownload.csproj" --packages "$work/packages" >&2
package_bicep="$work/packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [[ ! -f "$package_bicep" ]]; then
  echo "install-bicep.sh: the package restored but has no tools/bicep" >&2
  exit 1
fi
mkdir -p "$target_dir"
# Copy then rename, so a concurrent caller never sees a half-written binary.
cp "$package_bicep" "$bicep.partial.$$"
chmod +x "$bicep.partial.$$"
mv -f "$bicep.partial.$$" "$bicep"
"$bicep" --version >&2
echo "$bicep"
