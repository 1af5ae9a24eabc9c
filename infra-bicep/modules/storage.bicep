// One storage account for the Functions host (AzureWebJobsStorage), the Durable task hub
// (queues, tables, blobs), the ingestion checkpoint/ownership tables, and the deployment package.
// Shared-key access is off: every caller authenticates with Entra ID, so no key or connection
// string can leak from app settings.

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Blob container that holds the deployment package the app runs from.')
param deploymentContainerName string

@description('Blob container the app keeps EVE JSON in, one blob per chain and hour; empty: none.')
param eveContainerName string

@description('Days an EVE blob is kept after its last write.')
@minValue(1)
@maxValue(3650)
param eveRetentionInDays int

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    // Portal and tools default to Entra ID too, so nobody is nudged towards keys.
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // No hierarchical namespace: Blob Data roles then carry no POSIX ACL semantics.
    isHnsEnabled: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource eveContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = if (!empty(eveContainerName)) {
  parent: blobService
  name: empty(eveContainerName) ? 'none-eve' : eveContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Retention: EVE blobs leave after eveRetentionInDays without a write (an hour's blob stops
// changing when its hour is over).
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = if (!empty(eveContainerName)) {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'eve-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${eveContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: eveRetentionInDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
output eveContainerName string = eveContainerName
