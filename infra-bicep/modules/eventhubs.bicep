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

output namespaceName string = namespace.name
// serviceBusEndpoint is https://<ns>.<cloud suffix>:443/; the SDK wants the bare host name.
output fullyQualifiedNamespace string = replace(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':443/', '')
output hubName string = hub.name
output consumerGroupName string = consumerGroup.name
