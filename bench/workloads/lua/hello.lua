-- hello: a fixed short text response.
ngx.header["Content-Type"] = "text/plain"
ngx.print("Hello, world!\n")
