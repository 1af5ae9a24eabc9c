// AzNf on Azure: Event Hubs in front, a .NET 10 isolated Functions app (Durable Functions + a
// hosted Event Hubs partition processor) on Linux Elastic Premium, one storage account, App
// Insights on Log Analytics, and one user-assigned identity holding data-plane roles only.
// Deploy with `azd up` (azure.yaml at the repo root); every parameter is described in
// docs/deploy.md.
//
// Security posture, all of it checked by tests/AzNf.Infra.Tests against the compiled template:
// HTTPS only, TLS 1.2 minimum everywhere, FTP and basic publishing credentials off, shared-key
// access off on storage, local (SAS) auth off on Event Hubs, local auth off on App Insights, and
// no key or connection string in the app settings.
//
// Plan: Elastic Premium with always-ready instances, not Flex Consumption. Ingestion is a hosted
// EventProcessor inside the worker, not a trigger, so it is no scale signal and must simply run
// all the time. Elastic Premium keeps `alwaysReadyInstanceCount` workers running whole, with every
// function and hosted service loaded. Flex Consumption assigns its always-ready instances to
// trigger groups (http, durable, ...), scales idle on-demand instances in within about 30 s, and
// has been seen draining an always-ready instance every 30-60 min with no deployment — each drain
// would drop the processor's partition leases. Details in docs/deploy.md.
targetScope = 'subscription'

@description('azd environment name; names the resource group and seeds the resource names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region for every resource.')
@minLength(1)
param location string

@description('Object id of the deploying user or CI principal; when set, it gets the same data-plane roles as the app so `aznf send`, local runs and the package upload work. Empty: no such assignments.')
param principalId string = ''

@description('Kind of principalId: User for a person, ServicePrincipal for a CI identity.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Hub name.')
@minLength(1)
@maxLength(256)
param eventHubName string = 'packets'

@description('Partitions of the hub (1-32): the unit of ordering and parallelism; fixed after creation on Standard.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Days the hub keeps events (Standard tier: 1-7).')
@minValue(1)
@maxValue(7)
param eventHubMessageRetentionInDays int = 1

@description('Consumer group the worker reads with.')
@minLength(1)
@maxLength(50)
param consumerGroupName string = 'aznf'

@description('Hub the chain forwards its packets to, its next hop (AZNF_EGRESS_HUB); empty: forwarded packets go nowhere. Needs the chain at batch granularity.')
@maxLength(256)
param egressHubName string = ''

@description('Hub the EVE JSON alert and flow lines go to, for a SIEM (AZNF_ALERTS_HUB); empty: none.')
@maxLength(256)
param alertsHubName string = 'alerts'

@description('Blob container EVE JSON is kept in, one blob per chain and hour (AZNF_EVE_CONTAINER); empty: none.')
@maxLength(63)
param eveContainerName string = 'eve'

@description('Days an EVE blob is kept after its last write (a lifecycle rule deletes it).')
@minValue(1)
@maxValue(3650)
param eveRetentionInDays int = 30

@description('Consumer group for whoever reads the egress and alerts hubs.')
@minLength(1)
@maxLength(50)
param outputConsumerGroupName string = 'downstream'

@description('Durable Functions task hub name (TASKHUB_NAME).')
@minLength(3)
@maxLength(45)
param taskHubName string = 'aznf'

@description('Chain file the worker loads, relative to the app root (AZNF_CHAIN_FILE).')
@minLength(1)
param chainFile string = 'chains/full.json'

@description('Elastic Premium size.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param planSku string = 'EP1'

@description('Always-ready instances (Elastic Premium minimum instances): workers that run with no trigger activity, carrying the partition processor.')
@minValue(1)
@maxValue(20)
param alwaysReadyInstanceCount int = 1

@description('Pre-warmed instances for trigger-driven scale-out beyond the always-ready ones.')
@minValue(0)
@maxValue(10)
param preWarmedInstanceCount int = 1

@description('Upper bound of instances the plan may scale out to.')
@minValue(1)
@maxValue(100)
param maximumInstanceCount int = 4

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

var abbrs = loadJsonContent('abbreviations.json')
// Stable per subscription, environment and region, so redeploying updates in place.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var deploymentContainerName = 'deployments'
var packageBlobName = 'functions.zip'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: '${abbrs.userAssignedIdentity}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: '${abbrs.storageAccount}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    eveContainerName: eveContainerName
    eveRetentionInDays: eveRetentionInDays
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  scope: resourceGroup
  params: {
    namespaceName: '${abbrs.eventHubNamespace}${resourceToken}'
    location: location
    tags: tags
    hubName: eventHubName
    partitionCount: eventHubPartitionCount
    messageRetentionInDays: eventHubMessageRetentionInDays
    consumerGroupName: consumerGroupName
    egressHubName: egressHubName
    alertsHubName: alertsHubName
    outputConsumerGroupName: outputConsumerGroupName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    workspaceName: '${abbrs.logAnalyticsWorkspace}${resourceToken}'
    applicationInsightsName: '${abbrs.applicationInsights}${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module appRoles 'modules/rbac.bicep' = {
  name: 'rbac-app'
  scope: resourceGroup
  params: {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    eventHubName: eventHubs.outputs.hubName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    outputHubNames: [
      eventHubs.outputs.egressHubName
      eventHubs.outputs.alertsHubName
    ]
  }
}

module developerRoles 'modules/rbac.bicep' = if (!empty(principalId)) {
  name: 'rbac-developer'
  scope: resourceGroup
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    eventHubName: eventHubs.outputs.hubName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: resourceGroup
  // The host reads storage and the package with the identity at start: roles first.
  dependsOn: [
    appRoles
  ]
  params: {
    name: '${abbrs.functionApp}${resourceToken}'
    planName: '${abbrs.appServicePlan}${resourceToken}'
    location: location
    tags: tags
    planSku: planSku
    alwaysReadyInstanceCount: alwaysReadyInstanceCount
    preWarmedInstanceCount: preWarmedInstanceCount
    maximumInstanceCount: maximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    tableEndpoint: storage.outputs.tableEndpoint
    packageUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}/${packageBlobName}'
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.hubName
    consumerGroupName: eventHubs.outputs.consumerGroupName
    partitionCount: eventHubPartitionCount
    taskHubName: taskHubName
    chainFile: chainFile
    // A day beyond the hub's retention: an event can be redelivered until it leaves the hub.
    flowTombstoneHours: (eventHubMessageRetentionInDays + 1) * 24
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    egressHubName: eventHubs.outputs.egressHubName
    alertsHubName: eventHubs.outputs.alertsHubName
    eveContainerName: storage.outputs.eveContainerName
  }
}

// UPPER_SNAKE outputs become azd environment values (and the package upload hook's inputs).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output AZURE_EVENTHUBS_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output AZURE_EVENTHUB_NAME string = eventHubs.outputs.hubName
output AZURE_EVENTHUB_CONSUMER_GROUP string = eventHubs.outputs.consumerGroupName
output AZURE_EVENTHUB_PARTITIONS int = eventHubPartitionCount
output AZURE_EGRESS_HUB string = eventHubs.outputs.egressHubName
output AZURE_ALERTS_HUB string = eventHubs.outputs.alertsHubName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_DEPLOYMENT_CONTAINER string = storage.outputs.deploymentContainerName
output AZURE_DEPLOYMENT_PACKAGE_BLOB string = packageBlobName
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
