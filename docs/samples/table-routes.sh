URL=http://127.0.0.1:3000
http() { curl -si -X "$1" "$URL$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; echo; }

http POST /LambdaTable/items '{"Id": "7", "name": "Ann", "n": 0.10000000000000000001}'
# 201 {"Id":"7","name":"Ann","n":0.10000000000000000001}   (Location: /dev/LambdaTable/items/7)
http GET /LambdaTable/items/7
# {"Id":"7","name":"Ann","n":0.10000000000000000001}
http POST /LambdaTable/items '{"Id": "7", "name": "Eve"}'
# 409 {"message":"An item with this key exists; PUT its path to replace it","type":"ItemExists"}
http PATCH /LambdaTable/items/7 '{"name": "Bo", "n": null}'
# {"Id":"7","name":"Bo"}   (null removes an attribute)
http PUT /LambdaTable/items/8 '{"name": "Cy"}'
# {"Id":"8","name":"Cy"}
http GET '/LambdaTable/items?limit=1'
# {"items":[{"Id":"7","name":"Bo"}],"next":"eyJJZCI6IjcifQ"}
http GET '/LambdaTable/items?limit=10&cursor=eyJJZCI6IjcifQ'
# {"items":[{"Id":"8","name":"Cy"}],"next":null}
http DELETE /LambdaTable/items/7
# 204
http GET /LambdaTable/items/7
# 404 {"message":"No item has this key","type":"ItemNotFound"}
http DELETE /LambdaTable/items
# 405 {"message":"/LambdaTable/items does not take DELETE; it takes GET, POST","type":"MethodNotAllowed"}   (Allow: GET, POST)
