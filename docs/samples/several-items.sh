post '{"operation": "batch-write", "payload": {"RequestItems": {
  "LambdaTable": [{"PutRequest": {"Item": {"Id": "1", "name": "Bob", "stock": 0}}}],
  "Orders": [{"PutRequest": {"Item": {"customerId": "c1", "orderId": "o1", "status": "NEW"}}},
             {"DeleteRequest": {"Key": {"customerId": "c1", "orderId": "o0"}}}]}}}'
# {"UnprocessedItems":{}}   (moto adds "ConsumedCapacity" and "ItemCollectionMetrics")
post '{"operation": "batch-get", "payload": {"RequestItems": {
  "LambdaTable": {"Keys": [{"Id": "1"}]},
  "Orders": {"Keys": [{"customerId": "c1", "orderId": "o1"}]}}}}'
# {"Responses":{"LambdaTable":[{"Id":"1","name":"Bob","stock":0}],
#   "Orders":[{"customerId":"c1","orderId":"o1","status":"NEW"}]},"UnprocessedKeys":{}}
post '{"operation": "transact-write", "payload": {"TransactItems": [
  {"Put": {"TableName": "Orders", "Item": {"customerId": "c1", "orderId": "o2"}}},
  {"Update": {"TableName": "LambdaTable", "Key": {"Id": "1"},
              "UpdateExpression": "SET stock = stock - :one", "ConditionExpression": "stock >= :one",
              "ExpressionAttributeValues": {":one": 1}}}]}}'
# 409 {"message":"Transaction cancelled, nothing was written: TransactItems[1]: ConditionalCheckFailed (The conditional request failed)",
#   "type":"TransactionCanceled",
#   "cancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}
