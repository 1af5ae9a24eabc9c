// Event Hubs in front of the chain: one hub, partitioned by the symmetric flow key, read by the
// worker's partition processor through its own consumer group. Local (SAS key) auth is disabled:
// producers and consumers use Entra ID roles only.

@description('Event Hubs namespace name.')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Azure region.')
param location string

@description('Tags applied to the namespace.')
param tags object

@description('Hub name.')
param hubName string

@description('Partitions of the hub: the unit of ordering and of parallelism (one owner each). Fixed at creation on the Standard tier.')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Days the hub keeps events (Standard tier: 1-7).')
@minValue(1)
@maxValue(7)
param messageRetentionInDays int

@description('Consumer group the worker reads with.')
param consumerGroupName string

@description('Hub the chain forwards its packets to (its next hop); empty: none.')
param egressHubName string

@description('Hub the EVE alert and flow lines go to (the SIEM ingestion path); empty: none.')
param alertsHubName string

@description('Consumer group a downstream reader of the egress and alerts hubs uses.')
param outputConsumerGroupName string

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    // Standard: consumer groups beyond $Default and more than one day of retention need it.
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: false
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
}

// The output hubs: the same partitioning and retention as the input, each with a consumer group
// for whoever reads it (another chain, a SIEM connector).
resource egressHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = if (!empty(egressHubName)) {
  parent: namespace
  name: empty(egressHubName) ? 'none-egress' : egressHubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

resource egressConsumers 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = if (!empty(egressHubName)) {
  parent: egressHub
  name: outputConsumerGroupName
}

resource alertsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = if (!empty(alertsHubName)) {
  parent: namespace
  name: empty(alertsHubName) ? 'none-alerts' : alertsHubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

resource alertsConsumers 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = if (!empty(alertsHubName)) {
  parent: alertsHub
  name: outputConsumerGroupName
}

output namespaceName string = namespace.name
// serviceBusEndpoint is https://<ns>.<cloud suffix>:443/; the SDK wants the bare host name.
output fullyQualifiedNamespace string = replace(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':443/', '')
output hubName string = hub.name
output consumerGroupName string = consumerGroup.name
output egressHubName string = egressHubName
output alertsHubName string = alertsHubName
