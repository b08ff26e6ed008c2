URL=http://127.0.0.1:3000
http() { curl -si -X "$1" "$URL$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; echo; }

http POST /lambda-microservice '{"TableName": "LambdaTable",
  "Item": {"Id": {"S": "1"}, "tags": {"SS": ["new"]}, "price": {"N": "19.99"}}}'
# {}
http GET '/lambda-microservice?TableName=LambdaTable'
# {"Items":[{"Id":{"S":"1"},"tags":{"SS":["new"]},"price":{"N":"19.99"}}],"Count":1,"ScannedCount":1}
http PUT /lambda-microservice '{"TableName": "LambdaTable", "Key": {"Id": {"S": "1"}},
  "UpdateExpression": "SET price = :p", "ExpressionAttributeValues": {":p": {"N": "17.5"}},
  "ReturnValues": "UPDATED_NEW"}'
# {"Attributes":{"price":{"N":"17.5"}}}
http DELETE /lambda-microservice '{"TableName": "LambdaTable", "Key": {"Id": {"S": "1"}}}'
# {}
http GET /lambda-microservice
# 400 {"message":"TableName is required; this API serves LambdaTable, Orders","type":"TableRequired"}
http PATCH /lambda-microservice '{}'
# 405 {"message":"/lambda-microservice does not take PATCH; it takes DELETE, GET, POST, PUT","type":"MethodNotAllowed"}   (Allow: DELETE, GET, POST, PUT)
