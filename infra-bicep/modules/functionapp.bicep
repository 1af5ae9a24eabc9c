// The Functions app: .NET 10 isolated worker on Linux Elastic Premium, running as the
// user-assigned identity, with no key or connection string in its settings. Why Elastic Premium
// and not Flex Consumption, and why there is no Azure Files content share: see docs/deploy.md.

@description('Function App name.')
param name string

@description('App Service plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to plan and app (the app also gets azd-service-name).')
param tags object

@description('Elastic Premium size: EP1 (1 vCPU), EP2 (2), EP3 (4).')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param planSku string

@description('Always-ready instances: workers that run even with no trigger activity, so the hosted partition processor keeps running and keeps its partition leases.')
@minValue(1)
@maxValue(20)
param alwaysReadyInstanceCount int

@description('Pre-warmed instances kept ready beyond the always-ready ones for trigger-driven scale-out.')
@minValue(0)
@maxValue(10)
param preWarmedInstanceCount int

@description('Upper bound of instances the plan may scale out to.')
@minValue(1)
@maxValue(100)
param maximumInstanceCount int

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage account of AzureWebJobsStorage, the task hub and the tables.')
param storageAccountName string

@description('Table service endpoint of that account.')
param tableEndpoint string

@description('Blob URL of the zip package the app runs from.')
param packageUrl string

@description('Event Hubs namespace host name, e.g. evhns-x.servicebus.windows.net.')
param eventHubsFullyQualifiedNamespace string

@description('Hub the worker reads.')
param eventHubName string

@description('Consumer group the worker reads with.')
param consumerGroupName string

@description('Partition count of the hub (AZNF_PARTITIONS: the packet post cuts captures into as many partitions).')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Durable Functions task hub name.')
param taskHubName string

@description('Chain file, relative to the app root.')
param chainFile string

@description('Hours an expired flow keeps its tombstone; must exceed the hub retention, or a late redelivery is counted twice.')
@minValue(1)
param flowTombstoneHours int

@description('Application Insights component that receives telemetry.')
param applicationInsightsName string

@description('Hub forwarded packets go to (AZNF_EGRESS_HUB); empty: none.')
param egressHubName string

@description('Hub EVE alert and flow lines go to (AZNF_ALERTS_HUB); empty: none.')
param alertsHubName string

@description('Blob container EVE lines are kept in (AZNF_EVE_CONTAINER); empty: none.')
param eveContainerName string

// The plan may never be asked to keep more always-ready workers than it is allowed to run.
var instanceCeiling = max(maximumInstanceCount, alwaysReadyInstanceCount)

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: planSku
    tier: 'ElasticPremium'
    // The plan's billed minimum, aligned with the app's always-ready count.
    capacity: alwaysReadyInstanceCount
  }
  properties: {
    // Linux.
    reserved: true
    maximumElasticWorkerCount: instanceCeiling
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      minimumElasticInstanceCount: alwaysReadyInstanceCount
      preWarmedInstanceCount: preWarmedInstanceCount
      functionAppScaleLimit: instanceCeiling
      appSettings: [
        {
          name: 'FUNCTIONS_EXTENSION_VERSION'
          value: '~4'
        }
        {
          name: 'FUNCTIONS_WORKER_RUNTIME'
          value: 'dotnet-isolated'
        }
        // Host storage by identity: account name + managed identity, no connection string.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        // No WEBSITE_CONTENTAZUREFILECONNECTIONSTRING / WEBSITE_CONTENTSHARE: Azure Files takes
        // only a key. Instead the app runs from a package blob fetched with the identity
        // ("Create an app without Azure Files" in the Functions storage documentation).
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: packageUrl
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID'
          value: identityId
        }
        // The connection string names the component (its instrumentation key is an identifier,
        // not a credential); with local auth disabled on the component, telemetry is accepted
        // only with the Entra token that the authentication string makes the SDK fetch.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD;ClientId=${identityClientId}'
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        {
          name: 'TASKHUB_NAME'
          value: taskHubName
        }
        {
          name: 'AZNF_EVENTHUBS_NAMESPACE'
          value: eventHubsFullyQualifiedNamespace
        }
        {
          name: 'AZNF_EVENTHUB_NAME'
          value: eventHubName
        }
        {
          name: 'AZNF_CONSUMER_GROUP'
          value: consumerGroupName
        }
        {
          name: 'AZNF_TABLES_ENDPOINT'
          value: tableEndpoint
        }
        {
          name: 'AZNF_CHAIN_FILE'
          value: chainFile
        }
        {
          name: 'AZNF_PARTITIONS'
          value: string(partitionCount)
        }
        {
          name: 'AZNF_FLOW_TOMBSTONE_HOURS'
          value: string(flowTombstoneHours)
        }
        // Empty turns an output off (the worker reads an empty setting as unset).
        {
          name: 'AZNF_EGRESS_HUB'
          value: egressHubName
        }
        {
          name: 'AZNF_ALERTS_HUB'
          value: alertsHubName
        }
        {
          name: 'AZNF_EVE_CONTAINER'
          value: eveContainerName
        }
      ]
    }
  }
}

// Basic-auth publishing (FTP and the SCM/Kudu site) is off: deployment goes through Entra ID only.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
