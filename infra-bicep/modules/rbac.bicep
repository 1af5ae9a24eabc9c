// Data-plane roles for one principal, each scoped to the single resource it is needed on (the
// hub, the storage account, the App Insights component), never to the resource group, and no
// management role (Owner, Contributor) at all. Used for the app's identity and, optionally, for
// the deploying developer so that `aznf send` and local runs against the same resources work.
// Assignment names are guid(scope, principal, role): stable, so redeploying is a no-op.

@description('Object (principal) id that receives the roles.')
param principalId string

@description('ServicePrincipal for a managed identity; User for a developer.')
@allowed([
  'ServicePrincipal'
  'User'
])
param principalType string

@description('Storage account holding the task hub, tables and deployment package.')
param storageAccountName string

@description('Event Hubs namespace of the hub.')
param eventHubsNamespaceName string

@description('Hub the worker reads and the sender writes.')
param eventHubName string

@description('Application Insights component that receives telemetry with Entra auth.')
param applicationInsightsName string

@description('Hubs the principal publishes the chain\'s outputs to (forwarded packets, EVE lines): Data Sender on each, nothing else; empty names are skipped.')
param outputHubNames array = []

// Built-in role definition ids (the same in every tenant).
var roles = {
  // Azure Event Hubs Data Receiver: read events; the partition processor's only Event Hubs need.
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  // Azure Event Hubs Data Sender: publish events. A developer needs it for `aznf send`; the app
  // needs it only where it publishes to the hub itself (e.g. forwarding a posted batch), which
  // issue 5 asks to allow. Scoped to the one hub, so it cannot reach any other.
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  // Storage Blob Data Owner, not Contributor: the Functions host documentation names Owner as the
  // minimum role for identity-based AzureWebJobsStorage (host locks, keys, the run-from-package
  // blob). On this account (no hierarchical namespace) Owner adds only POSIX ACL and ownership
  // actions, which do nothing here; taking the documented role avoids a host that silently fails
  // to acquire its lock.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Storage Queue Data Contributor: Durable Functions control and work-item queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Storage Table Data Contributor: Durable history/instances tables, the ingestion checkpoint and
  // ownership tables, and state that outlives a task hub.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Monitoring Metrics Publisher: the only role that lets an identity send telemetry to an
  // Application Insights component whose local auth is disabled.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubsNamespace
  name: eventHubName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource eventHubsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, principalId, roles.eventHubsDataReceiver)
  scope: hub
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
  }
}

resource eventHubsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, principalId, roles.eventHubsDataSender)
  scope: hub
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
  }
}

resource outputHubs 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = [for name in outputHubNames: if (!empty(name)) {
  parent: eventHubsNamespace
  name: empty(name) ? 'none' : name
}]

resource outputSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in outputHubNames: if (!empty(name)) {
  name: guid(outputHubs[i].id, principalId, roles.eventHubsDataSender)
  scope: outputHubs[i]
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
  }
}]

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}
