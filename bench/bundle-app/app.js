import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { zValidator } from "@hono/zod-validator";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { secureHeaders } from "hono/secure-headers";

const User = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(64),
  email: z.email(),
  age: z.number().int().min(0).max(150).optional(),
}).openapi("User");

const app = new OpenAPIHono();
app.use("*", cors());
app.use("*", secureHeaders());
app.use("/api/*", etag());

const getUser = createRoute({
  method: "get", path: "/api/users/{id}",
  request: { params: z.object({ id: z.string().min(1) }) },
  responses: { 200: { content: { "application/json": { schema: User } },
                      description: "a user" } },
});

app.openapi(getUser, (c) => {
  const { id } = c.req.valid("param");
  return c.json({ id, name: "Ada", email: "ada@example.com", age: 36 }, 200);
});

app.post("/api/users", zValidator("json", User), (c) => {
  return c.json({ created: c.req.valid("json") }, 201);
});

app.get("/", (c) => c.text("hello from hono"));
app.doc("/openapi.json", { openapi: "3.0.0", info: { title: "bench", version: "1" } });

export default app;
