export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1  # any, not checked
aws lambda invoke --endpoint-url http://127.0.0.1:3000 --function-name LambdaFunctionOverHttps \
    --payload file://tests/events/echo.json out.txt   # AWS CLI v2: add --cli-binary-format raw-in-base64-out
cat out.txt   # {"somekey1":"somevalue1","somekey2":"somevalue2"}
