#!/bin/sh
# azd postprovision hook (also runnable by hand after `azd env get-values`): publishes the
# Functions app, uploads the zip to the blob that WEBSITE_RUN_FROM_PACKAGE names, then restarts
# the app and syncs its triggers so the host loads the new package.
# Authentication is the signed-in Azure CLI identity (`az login`), which main.bicep gave Storage
# Blob Data Owner on the account when AZURE_PRINCIPAL_ID was set: no storage key is used.
# Re-deploy code only: `azd hooks run postprovision`.
set -eu

: "${AZURE_RESOURCE_GROUP:?run through azd, or export the azd environment values first}"
: "${AZURE_FUNCTION_APP_NAME:?}"
: "${AZURE_STORAGE_ACCOUNT_NAME:?}"
: "${AZURE_DEPLOYMENT_CONTAINER:?}"
: "${AZURE_DEPLOYMENT_PACKAGE_BLOB:?}"

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish "$root/functions/AzNf.Functions/AzNf.Functions.csproj" -c Release -o "$work/publish"
if command -v zip >/dev/null 2>&1; then
  (cd "$work/publish" && zip -qr "$work/package.zip" .)
else
  python3 -c 'import shutil, sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2])' "$work/package" "$work/publish"
fi

# A role assignment made moments ago by the provision step can take a few minutes to apply.
attempt=1
until az storage blob upload --auth-mode login --only-show-errors --overwrite \
    --account-name "$AZURE_STORAGE_ACCOUNT_NAME" --container-name "$AZURE_DEPLOYMENT_CONTAINER" \
    --name "$AZURE_DEPLOYMENT_PACKAGE_BLOB" --file "$work/package.zip"; do
  if [ "$attempt" -ge 10 ]; then
    echo "deploy-functions-package: upload failed $attempt times; does the signed-in identity hold Storage Blob Data Owner on $AZURE_STORAGE_ACCOUNT_NAME?" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 30
done

site_id=$(az functionapp show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" --query id --output tsv)
az functionapp restart --ids "$site_id"
az resource invoke-action --ids "$site_id" --action syncfunctiontriggers --only-show-errors >/dev/null
echo "deploy-functions-package: $AZURE_FUNCTION_APP_NAME now runs $AZURE_DEPLOYMENT_CONTAINER/$AZURE_DEPLOYMENT_PACKAGE_BLOB"
