URL=http://127.0.0.1:3000/DynamoDBManager
post() { curl -s -X POST "$URL" -H 'Content-Type: application/json' -d "$1"; echo; }

post '{"operation": "create", "tableName": "LambdaTable", "payload": {"Item": {"Id": "1", "name": "Bob", "price": 19.99}}}'
# {}
post '{"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}'
# {"Item":{"Id":"1","name":"Bob","price":19.99}}
post '{"operation": "update", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"},
       "UpdateExpression": "SET #n = :name", "ExpressionAttributeNames": {"#n": "name"},
       "ExpressionAttributeValues": {":name": "Alice"}, "ReturnValues": "ALL_NEW"}}'
# {"Attributes":{"Id":"1","name":"Alice","price":19.99}}   (moto adds "ConsumedCapacity",
#   one of its known differences from DynamoDB: docs/local-development.md)
post '{"operation": "list", "tableName": "LambdaTable", "payload": {"Limit": 25}}'
# {"Items":[{"Id":"1","name":"Alice","price":19.99}],"Count":1,"ScannedCount":1}
#   (and "LastEvaluatedKey" when there is more: send it as "ExclusiveStartKey" for the next page)
post '{"operation": "list", "payload": {"Limit": 25, "ExclusiveStartKey": {"Id": "1"}}}'
# {"Items":[],"Count":0,"ScannedCount":0}   (tableName may be left out when the API serves one table)
post '{"operation": "query", "payload": {"KeyConditionExpression": "Id = :id",
       "ExpressionAttributeValues": {":id": "1"}}}'
# {"Items":[{"Id":"1","name":"Alice","price":19.99}],"Count":1,"ScannedCount":1}
post '{"operation": "delete", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}'
# {}
post '{"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}'
# 404 {"message":"No item has this key","type":"ItemNotFound"}
post '{"operation": "echo", "payload": {"somekey1": "somevalue1", "somekey2": "somevalue2"}}'
# {"somekey1":"somevalue1","somekey2":"somevalue2"}
post '{"operation": "ping"}'
# "pong"
