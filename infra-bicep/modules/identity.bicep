// The one identity the Function App runs as. User-assigned rather than system-assigned so the
// role assignments can be created before the app exists (no chicken-and-egg on first deploy) and
// so the same client id can be named in app settings (AzureWebJobsStorage__clientId,
// AZURE_CLIENT_ID, the App Insights Entra auth string) at deployment time.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
