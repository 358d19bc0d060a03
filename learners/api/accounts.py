"""Account endpoints: a token for a username and password, and who the token belongs to."""

from __future__ import annotations

from typing import cast

from django.contrib.auth import authenticate
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from learners.lockout import lockout_message
from learners.models import (
    User,
)
from quizbank.api_input import InputSerializer


class AccountLocked(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "account_locked"


class InvalidCredentials(APIException):
    # Not DRF's AuthenticationFailed: that becomes 403 on a view without authenticators.
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "invalid_credentials"
    default_detail = "Unable to log in with the given username and password."


class TokenRequestSerializer(InputSerializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    token = serializers.CharField(read_only=True)


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="A field is missing."),
            401: OpenApiResponse(description="The username or password is wrong."),
            429: OpenApiResponse(description="The account is locked after failed attempts."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # django-axes counts failures and marks lockouts on the underlying HttpRequest.
        http_request = request._request
        user = authenticate(
            http_request,
            username=given.validated_data["username"],
            password=given.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            raise AccountLocked(lockout_message())
        if user is None or not user.is_active:
            raise InvalidCredentials()
        token, _ = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


class MeSerializer(serializers.Serializer[User]):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)


class MeView(APIView):
    """Return the account the request is authenticated as, and its role."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(cast(User, request.user)).data)
